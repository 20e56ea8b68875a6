namespace Pacer.Http;

/// <summary>Response headers Pacer adds, telling the caller what it did.</summary>
public static class PacerHeaders
{
    /// <summary>Milliseconds the request waited for admission, summed over its attempts.</summary>
    public const string QueueMilliseconds = "x-pacer-queue-ms";

    /// <summary>Attempts sent upstream for this request.</summary>
    public const string Attempts = "x-pacer-attempts";
}
