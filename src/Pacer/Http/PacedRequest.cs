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
    private const string MessagesPath = "/v1/messages";
    private const string CountTokensPath = "/v1/messages/count_tokens";

    private readonly byte[]? _body;
    private readonly KeyValuePair<string, IEnumerable<string>>[] _contentHeaders;

    private PacedRequest(HttpRequestMessage original, byte[]? body, KeyValuePair<string, IEnumerable<string>>[] contentHeaders)
    {
        Original = original;
        _body = body;
        _contentHeaders = contentHeaders;
    }

    public HttpRequestMessage Original { get; }

    public ReadOnlyMemory<byte> Body => _body;

    public RequestKind Kind { get; private init; }

    public RequestFacts Facts { get; private init; }

    public string KeyId { get; private init; } = UpstreamKeyId.None;

    public string User { get; private init; } = AcquireRequest.AnonymousUser;

    public string Endpoint { get; private init; } = "/";

    public RequestCost Cost { get; private init; }

    /// <summary>Gets the input estimate behind <see cref="Cost"/>, with the ratio it used, for calibration.</summary>
    public InputEstimate InputEstimate { get; private init; }

    public required RetryState Retry { get; init; }

    public required DateTimeOffset Started { get; init; }

    public required long StartTimestamp { get; init; }

    public AcquireRequest Admission { get; private init; }

    /// <summary>Gets or sets the attempts sent upstream so far.</summary>
    public int Attempts { get; set; }

    /// <summary>Gets or sets the time spent waiting for admission, over every attempt.</summary>
    public TimeSpan QueueTime { get; set; }

    /// <summary>Gets or sets the upstream <c>request-id</c> of the latest attempt.</summary>
    public string? RequestId { get; set; }

    /// <summary>
    /// Buffers the body and reads what pacing needs from it and from the request options; a <see cref="PreparedBody"/>
    /// attached by the caller's layer is used instead of reading, parsing and estimating the same bytes again.
    /// </summary>
    public static async ValueTask<PacedRequest> CreateAsync(
        HttpRequestMessage request,
        PacerOptions options,
        TimeProvider timeProvider,
        Func<string, ReadOnlyMemory<byte>, InputEstimate> estimateInputTokens,
        CancellationToken cancellationToken)
    {
        byte[]? body = null;
        KeyValuePair<string, IEnumerable<string>>[] contentHeaders = [];
        var prepared = PreparedBody.Of(request);
        if (request.Content is { } content)
        {
            body = prepared?.Bytes ?? await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            contentHeaders = [.. content.Headers.Where(h => !string.Equals(h.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))];
        }

        var path = request.RequestUri is { IsAbsoluteUri: true } uri ? uri.AbsolutePath : request.RequestUri?.OriginalString ?? "/";
        var kind = request.Method != HttpMethod.Post ? RequestKind.Other
            : path.EndsWith(MessagesPath, StringComparison.Ordinal) ? RequestKind.Messages
            : path.EndsWith(CountTokensPath, StringComparison.Ordinal) ? RequestKind.CountTokens
            : RequestKind.Other;
        var facts = kind == RequestKind.Other ? RequestFacts.None : prepared?.Facts ?? RequestFacts.Read(body);
        var estimate = kind == RequestKind.Messages ? prepared?.Estimate ?? estimateInputTokens(facts.Model, body) : default;
        var cost = kind == RequestKind.Messages ? new RequestCost(estimate.Tokens, facts.MaxTokens) : default;
        var user = request.Options.TryGetValue(PacerRequestOptions.User, out var given) && !string.IsNullOrEmpty(given)
            ? given
            : facts.UserId ?? AcquireRequest.AnonymousUser;
        var endpoint = request.Options.TryGetValue(PacerRequestOptions.Endpoint, out var named) && !string.IsNullOrEmpty(named) ? named : path;
        var deadline = RequestDeadline.From(request.Options.TryGetValue(PacerRequestOptions.Deadline, out var until) ? until : null, timeProvider.GetUtcNow());
        var priority = request.Options.TryGetValue(PacerRequestOptions.Priority, out var chosen) ? chosen : RequestPriority.Interactive;
        var keyId = UpstreamKeyId.From(request.Headers);
        return new PacedRequest(request, body, contentHeaders)
        {
            Kind = kind,
            Facts = facts,
            KeyId = keyId,
            User = user,
            Endpoint = endpoint,
            Cost = cost,
            InputEstimate = estimate,
            Admission = new AcquireRequest(keyId, BucketModel(kind, facts.Model), user, cost, deadline?.Cutoff) { Priority = priority },
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

        if (_body is not null)
        {
            var content = new ByteArrayContent(_body);
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
    private static string BucketModel(RequestKind kind, string model) => kind switch
    {
        RequestKind.Messages => model,
        RequestKind.CountTokens => "count_tokens",
        _ => string.Empty,
    };
}
