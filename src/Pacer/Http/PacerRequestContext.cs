using Pacer.Limiting;
using Pacer.Usage;

namespace Pacer.Http;

/// <summary>
/// What Pacer knows about one request, shared between the <see cref="PacerHandler"/> and the layer that sends the
/// request (the gateway, a tracked client, your own code): what the request is (<see cref="Kind"/>, the body's
/// <see cref="Model"/>, <see cref="MaxTokens"/>, <see cref="Stream"/> and <c>metadata.user_id</c>, its input estimate),
/// and, once it has been sent, what happened (<see cref="Attempts"/>, <see cref="QueueTime"/>, <see cref="Usage"/>).
/// </summary>
/// <remarks>
/// <para>Get it with <see cref="PacerRequestOptions.GetPacerContext"/> after <c>SendAsync</c>; prepare it before sending
/// with <see cref="PacerRequestOptions.SetPacerContent"/> (a body already in memory) or
/// <see cref="PacerRequestOptions.PreparePacerContextAsync"/> (a body in the request's content), so that the body is
/// read, parsed and estimated once, by whichever layer needs it first. A context describes the content it was made
/// from: a handler in between that replaces the content makes the <see cref="PacerHandler"/> make a new one.</para>
/// <para>The results are written by the handler on the request's own flow; read them there (after <c>SendAsync</c>,
/// or between reads of a streamed body), not from another thread while the request runs.</para>
/// </remarks>
public sealed class PacerRequestContext
{
    internal static readonly HttpRequestOptionsKey<PacerRequestContext> Key = new("Pacer.RequestContext");

    private const string MessagesPath = "/v1/messages";
    private const string CountTokensPath = "/v1/messages/count_tokens";

    private readonly HttpContent? _content;
    private SseReader? _stream;

    private PacerRequestContext(HttpContent? content, byte[]? body, PacerRequestKind kind, RequestFacts facts, InputEstimate estimate)
    {
        _content = content;
        Body = body;
        Kind = kind;
        Facts = facts;
        InputEstimate = estimate;
    }

    /// <summary>Gets how the request is paced.</summary>
    public PacerRequestKind Kind { get; }

    /// <summary>Gets the body's <c>model</c>, or empty when absent (or not a Messages or count_tokens request).</summary>
    public string Model => Facts.Model;

    /// <summary>Gets the body's <c>max_tokens</c>, or 0 when absent.</summary>
    public int MaxTokens => Facts.MaxTokens;

    /// <summary>Gets a value indicating whether the body asks for a stream (<c>"stream": true</c>).</summary>
    public bool Stream => Facts.Stream;

    /// <summary>Gets the body's <c>metadata.user_id</c>, if any.</summary>
    public string? MetadataUserId => Facts.UserId;

    /// <summary>Gets the estimate of the body's input tokens for a Messages request (default otherwise).</summary>
    public InputEstimate InputEstimate { get; }

    /// <summary>Gets what the request reserves from the limiter: the estimated input and <see cref="MaxTokens"/> for a Messages request, none otherwise.</summary>
    public RequestCost Cost => Kind == PacerRequestKind.Messages ? new RequestCost(InputEstimate.Tokens, Facts.MaxTokens) : default;

    /// <summary>Gets the attempts sent upstream so far.</summary>
    public int Attempts { get; internal set; }

    /// <summary>Gets the time spent waiting for admission so far, over every attempt.</summary>
    public TimeSpan QueueTime { get; internal set; }

    /// <summary>
    /// Gets the usage the answer reported: for a buffered Messages answer as soon as <c>SendAsync</c> returns; for a
    /// stream as its events pass, and whole when its body has ended. Null while none was seen.
    /// </summary>
    public TokenUsage? Usage => _stream is { Usage.HasValue: true } stream ? stream.Usage.ToUsage() : FinalUsage;

    /// <summary>
    /// Gets, for a streamed answer, how many of the body's bytes read so far end at an event boundary: a relay that
    /// forwards whole events writes up to here and holds the rest. 0 for an answer that is not a stream.
    /// </summary>
    public long StreamEventBytes => _stream?.WholeEventBytes ?? 0;

    /// <summary>Gets a value indicating whether the last whole event of a streamed answer was <c>message_stop</c> or <c>error</c>, as a finished Anthropic stream ends.</summary>
    public bool StreamFinished => _stream?.Finished ?? false;

    internal RequestFacts Facts { get; }

    internal byte[]? Body { get; }

    internal TokenUsage? FinalUsage { get; set; }

    /// <summary>Classifies a request by its method and path (the path may carry a base path before <c>/v1/...</c>).</summary>
    /// <param name="method">The request's method.</param>
    /// <param name="path">The request's path.</param>
    /// <returns>How Pacer paces it.</returns>
    public static PacerRequestKind Classify(HttpMethod method, string path)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        return method != HttpMethod.Post ? PacerRequestKind.Other
            : path.EndsWith(MessagesPath, StringComparison.Ordinal) ? PacerRequestKind.Messages
            : path.EndsWith(CountTokensPath, StringComparison.Ordinal) ? PacerRequestKind.CountTokens
            : PacerRequestKind.Other;
    }

    /// <summary>
    /// Reserves the most a Messages request can cost (its estimated input and all of <see cref="MaxTokens"/> priced as
    /// output) from <paramref name="user"/>'s budget; any other request holds nothing. Throws
    /// <see cref="BudgetExceededException"/> when the budget cannot cover it. Dispose the hold once the request has
    /// ended, after its usage record has been charged.
    /// </summary>
    /// <param name="budgets">The budgets.</param>
    /// <param name="costs">The prices.</param>
    /// <param name="user">Whose budget pays.</param>
    /// <param name="cancellationToken">Cancels loading the budget.</param>
    /// <returns>The hold.</returns>
    public async ValueTask<BudgetReservation> ReserveBudgetAsync(BudgetGuard budgets, CostCalculator costs, string user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(budgets);
        ArgumentNullException.ThrowIfNull(costs);
        ArgumentNullException.ThrowIfNull(user);
        if (Kind != PacerRequestKind.Messages)
        {
            return BudgetReservation.Unlimited;
        }

        var credits = costs.EstimateCredits(Facts.Model, Cost) ?? 0;
        return await budgets.ReserveAsync(user, credits, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes the context of <paramref name="request"/>, whose content is <paramref name="body"/> (or none).</summary>
    internal static PacerRequestContext Create(HttpRequestMessage request, byte[]? body, InputTokenEstimator estimator)
    {
        var path = request.RequestUri is { IsAbsoluteUri: true } uri ? uri.AbsolutePath : request.RequestUri?.OriginalString ?? "/";
        var kind = Classify(request.Method, path);
        var facts = kind == PacerRequestKind.Other ? RequestFacts.None : RequestFacts.Read(body);
        var estimate = kind == PacerRequestKind.Messages ? estimator.Estimate(facts.Model, body) : default;
        return new PacerRequestContext(request.Content, body, kind, facts, estimate);
    }

    /// <summary>Reads the request's content, makes its context and attaches it.</summary>
    internal static async ValueTask<PacerRequestContext> PrepareAsync(HttpRequestMessage request, InputTokenEstimator estimator, CancellationToken cancellationToken)
    {
        var body = request.Content is { } content ? await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false) : null;
        var context = Create(request, body, estimator);
        request.Options.Set(Key, context);
        return context;
    }

    /// <summary>Gets the context attached to <paramref name="request"/> for its current content, or null.</summary>
    internal static PacerRequestContext? For(HttpRequestMessage request) =>
        request.Options.TryGetValue(Key, out var context) && ReferenceEquals(context._content, request.Content) ? context : null;

    /// <summary>Attaches the reader of the answer's stream, whose progress the context then reports.</summary>
    internal void Watch(SseReader reader) => _stream = reader;
}
