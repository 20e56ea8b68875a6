using Pacer.Limiting;

namespace Pacer.Http;

/// <summary>
/// Per-request facts a caller may attach through <see cref="HttpRequestMessage.Options"/>. Without them the handler
/// falls back to the body's <c>metadata.user_id</c> for the user and the request path for the endpoint.
/// </summary>
public static class PacerRequestOptions
{
    /// <summary>The caller identity, used for fair queuing and usage records.</summary>
    public static readonly HttpRequestOptionsKey<string> User = new("Pacer.User");

    /// <summary>The application endpoint the call serves, for example <c>/api/generate-scene</c>.</summary>
    public static readonly HttpRequestOptionsKey<string> Endpoint = new("Pacer.Endpoint");

    /// <summary>
    /// The moment after which the request is useless. Pacer gives up a margin before it (a tenth of the budget, at most
    /// one second) with <see cref="PacerDeadlineExceededException"/>: a queue wait is cut there, no attempt starts
    /// after it, an attempt still without response headers is abandoned there, and a retry whose wait would pass it is
    /// not made (the last answer is handed back). A response whose headers came in time (a stream, say) is the caller's.
    /// </summary>
    public static readonly HttpRequestOptionsKey<DateTimeOffset> Deadline = new("Pacer.Deadline");

    /// <summary>The class the request waits in: <see cref="RequestPriority.Interactive"/> (the default) or <see cref="RequestPriority.Batch"/>.</summary>
    public static readonly HttpRequestOptionsKey<RequestPriority> Priority = new("Pacer.Priority");

    /// <summary>Sets the class the request waits in (<see cref="Priority"/>).</summary>
    /// <param name="request">The request.</param>
    /// <param name="priority">Its class.</param>
    /// <returns>The same request.</returns>
    public static HttpRequestMessage SetPacerPriority(this HttpRequestMessage request, RequestPriority priority)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(Priority, priority);
        return request;
    }
}
