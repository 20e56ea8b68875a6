namespace Pacer.Simulator.Faults;

/// <summary>
/// One step of a fault script. <see cref="Status"/> and <see cref="RetryAfterSeconds"/> apply to status faults;
/// <see cref="Argument"/> is the event count of stream faults or the delay in milliseconds of <c>slow</c>.
/// </summary>
internal sealed record FaultStep(FaultKind Kind, string Text, int Status = 0, int? RetryAfterSeconds = null, int Argument = 0)
{
    public static FaultStep Ok { get; } = new(FaultKind.None, "ok");

    /// <summary>Whether the step only changes a stream (it answers a non-streaming request normally).</summary>
    public bool IsStreamOnly => Kind is FaultKind.Cut or FaultKind.Stall or FaultKind.Malformed or FaultKind.ErrorEvent;
}
