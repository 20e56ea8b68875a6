using Pacer.Configuration;
using Pacer.Limiting;
using Pacer.Retrying;

namespace Pacer.Http;

/// <summary>
/// One request as the handler sees it: the body buffered once (to resend on retries), the facts read from it, who asks
/// and for what, and the running counts over its attempts.
/// </summary>
internal sealed class PacedRequest
{
    private readonly KeyValuePair<string, IEnumerable<string>>[] _contentHeaders;

    private PacedRequest(HttpRequestMessage original, PacerRequestContext context, KeyValuePair<string, IEnumerable<string>>[] contentHeaders)
    {
        Original = original;
        Context = context;
        _contentHeaders = contentHeaders;
    }

    public HttpRequestMessage Original { get; }

    /// <summary>Gets what is known of the request, shared with the layer that sent it: its facts, estimate and running counts.</summary>
    public PacerRequestContext Context { get; }

    public ReadOnlyMemory<byte> Body => Context.Body;

    public PacerRequestKind Kind => Context.Kind;

    public RequestFacts Facts => Context.Facts;

    public string KeyId { get; private init; } = UpstreamKeyId.None;

    public string User { get; private init; } = AcquireRequest.AnonymousUser;

    public string Endpoint { get; private init; } = "/";

    public RequestCost Cost => Context.Cost;

    /// <summary>Gets the input estimate behind <see cref="Cost"/>, with the ratio it used, for calibration.</summary>
    public InputEstimate InputEstimate => Context.InputEstimate;

    public required RetryState Retry { get; init; }

    public required DateTimeOffset Started { get; init; }

    public required long StartTimestamp { get; init; }

    public AcquireRequest Admission { get; private init; }

    /// <summary>Gets the owner of the permit of the attempt in progress.</summary>
    public AttemptPermit PermitOwner => field ??= new AttemptPermit(Retry);

    /// <summary>Gets or sets the attempts sent upstream so far.</summary>
    public int Attempts
    {
        get => Context.Attempts;
        set => Context.Attempts = value;
    }

    /// <summary>Gets or sets the time spent waiting for admission, over every attempt.</summary>
    public TimeSpan QueueTime
    {
        get => Context.QueueTime;
        set => Context.QueueTime = value;
    }

    /// <summary>Gets or sets the upstream <c>request-id</c> of the latest attempt.</summary>
    public string? RequestId { get; set; }

    /// <summary>
    /// Buffers the body and reads what pacing needs from it and from the request options; a
    /// <see cref="PacerRequestContext"/> prepared by the caller's layer for the same content is used instead of reading,
    /// parsing and estimating the same bytes again.
    /// </summary>
    public static async ValueTask<PacedRequest> CreateAsync(
        HttpRequestMessage request,
        PacerOptions options,
        TimeProvider timeProvider,
        InputTokenEstimator estimator,
        CancellationToken cancellationToken)
    {
        var context = PacerRequestContext.For(request) ?? await PacerRequestContext.PrepareAsync(request, estimator, cancellationToken).ConfigureAwait(false);
        KeyValuePair<string, IEnumerable<string>>[] contentHeaders = request.Content is { } content
            ? [.. content.Headers.Where(h => !string.Equals(h.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))]
            : [];
        var path = request.RequestUri is { IsAbsoluteUri: true } uri ? uri.AbsolutePath : request.RequestUri?.OriginalString ?? "/";
        var facts = context.Facts;
        var user = request.Options.TryGetValue(PacerRequestOptions.User, out var given) && !string.IsNullOrEmpty(given)
            ? given
            : facts.UserId ?? AcquireRequest.AnonymousUser;
        var endpoint = request.Options.TryGetValue(PacerRequestOptions.Endpoint, out var named) && !string.IsNullOrEmpty(named) ? named : path;
        var deadline = RequestDeadline.From(request.Options.TryGetValue(PacerRequestOptions.Deadline, out var until) ? until : null, timeProvider.GetUtcNow());
        var priority = request.Options.TryGetValue(PacerRequestOptions.Priority, out var chosen) ? chosen : RequestPriority.Interactive;
        var keyId = UpstreamKeyId.From(request.Headers);
        return new PacedRequest(request, context, contentHeaders)
        {
            KeyId = keyId,
            User = user,
            Endpoint = endpoint,
            Admission = new AcquireRequest(keyId, BucketModel(context.Kind, facts.Model), user, context.Cost, deadline?.Cutoff) { Priority = priority },
            Retry = new RetryState(options, endpoint, deadline),
            Started = timeProvider.GetUtcNow(),
            StartTimestamp = timeProvider.GetTimestamp(),
        };
    }

    /// <summary>Gets the model under which the limiter keeps this request's upstream budgets.</summary>
    public string BucketModel() => Admission.Model;

    /// <summary>A fresh message for one attempt: same method, URI, version, headers, options and body bytes.</summary>
    public HttpRequestMessage CreateAttemptMessage()
    {
        var message = new HttpRequestMessage(Original.Method, Original.RequestUri)
        {
            Version = Original.Version,
            VersionPolicy = Original.VersionPolicy,
        };
        foreach (var header in Original.Headers)
        {
            message.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (Context.Body is { } body)
        {
            var content = new ByteArrayContent(body);
            foreach (var header in _contentHeaders)
            {
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            message.Content = content;
        }

        IDictionary<string, object?> options = message.Options;
        foreach (var option in Original.Options)
        {
            options[option.Key] = option.Value;
        }

        return message;
    }

    // count_tokens has its own upstream RPM, so its headers must not teach the Messages budget of the model.
    private static string BucketModel(PacerRequestKind kind, string model) => kind switch
    {
        PacerRequestKind.Messages => model,
        PacerRequestKind.CountTokens => "count_tokens",
        _ => string.Empty,
    };
}
