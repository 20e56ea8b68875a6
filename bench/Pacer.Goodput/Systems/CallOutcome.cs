namespace Pacer.Goodput.Systems;

/// <summary>How one workload request ended for its caller.</summary>
/// <param name="Succeeded">Whether the caller got a message back.</param>
/// <param name="Error">What the caller saw instead (exception type and status), or null.</param>
internal readonly record struct CallOutcome(bool Succeeded, string? Error)
{
    public static CallOutcome Ok { get; } = new(true, null);

    public static CallOutcome Failed(string error) => new(false, error);
}
