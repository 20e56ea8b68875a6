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

    /// <summary>
    /// Gets the request's <see cref="PacerRequestContext"/>: after <c>SendAsync</c> through a <see cref="PacerHandler"/>,
    /// the one it paced the request with (attempts, queue time, usage); before, the one prepared for its current
    /// content, if any. Null when there is none.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <returns>Its context, or null.</returns>
    public static PacerRequestContext? GetPacerContext(this HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return PacerRequestContext.For(request);
    }

    /// <summary>
    /// Sets <paramref name="body"/> as the request's content and prepares its <see cref="PacerRequestContext"/> from the
    /// same bytes: classified, its facts read and, for a Messages request, its input estimated by
    /// <paramref name="limiter"/>'s estimator. The <see cref="PacerHandler"/> then neither copies nor parses the body again.
    /// Set the request's method and URI first (they decide its <see cref="PacerRequestContext.Kind"/>); nobody may write
    /// to <paramref name="body"/> afterwards.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="body">The body's bytes.</param>
    /// <param name="limiter">The limiter whose handler will send the request.</param>
    /// <returns>The context.</returns>
    public static PacerRequestContext SetPacerContent(this HttpRequestMessage request, byte[] body, Limiter limiter)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(limiter);
        request.Content = new ByteArrayContent(body);
        var context = PacerRequestContext.Create(request, body, limiter.Estimator);
        request.Options.Set(PacerRequestContext.Key, context);
        return context;
    }

    /// <summary>
    /// Reads the request's content (once) and prepares its <see cref="PacerRequestContext"/>, as
    /// <see cref="SetPacerContent"/> does for a body already in memory; returns the one already prepared for the same
    /// content, if any.
    /// </summary>
    /// <param name="request">The request, with its method, URI and content set.</param>
    /// <param name="limiter">The limiter whose handler will send the request.</param>
    /// <param name="cancellationToken">Cancels reading the content.</param>
    /// <returns>The context.</returns>
    public static async ValueTask<PacerRequestContext> PreparePacerContextAsync(this HttpRequestMessage request, Limiter limiter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(limiter);
        return PacerRequestContext.For(request) ?? await PacerRequestContext.PrepareAsync(request, limiter.Estimator, cancellationToken).ConfigureAwait(false);
    }
}
