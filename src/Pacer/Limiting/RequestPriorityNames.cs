namespace Pacer.Limiting;

/// <summary>The names of the priority classes as every face spells them: <c>interactive</c> and <c>batch</c>.</summary>
public static class RequestPriorityNames
{
    /// <summary>The name of <see cref="RequestPriority.Interactive"/>.</summary>
    public const string Interactive = "interactive";

    /// <summary>The name of <see cref="RequestPriority.Batch"/>.</summary>
    public const string Batch = "batch";

    /// <summary>The allowed names, for error messages: <c>interactive or batch</c>.</summary>
    public const string Allowed = Interactive + " or " + Batch;

    /// <summary>Reads a class name, ignoring case and surrounding spaces; numbers and other words are refused.</summary>
    public static bool TryParse(string? text, out RequestPriority priority)
    {
        var name = text?.Trim();
        if (string.Equals(name, Interactive, StringComparison.OrdinalIgnoreCase))
        {
            priority = RequestPriority.Interactive;
            return true;
        }

        if (string.Equals(name, Batch, StringComparison.OrdinalIgnoreCase))
        {
            priority = RequestPriority.Batch;
            return true;
        }

        priority = RequestPriority.Interactive;
        return false;
    }

    /// <summary>Gets the name of a class.</summary>
    public static string NameOf(RequestPriority priority) => priority == RequestPriority.Batch ? Batch : Interactive;
}
