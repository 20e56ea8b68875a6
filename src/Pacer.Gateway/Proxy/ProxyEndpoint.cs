using System.Globalization;
using Pacer.Gateway.Auth;
using Pacer.Gateway.Dashboard;
using Pacer.Gateway.Hosting;
using Pacer.Gateway.Operations;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Usage;

namespace Pacer.Gateway.Proxy;

/// <summary>
/// The transparent Anthropic endpoint: every <c>/v1/*</c> request goes upstream through the engine (one
/// <see cref="HttpClient"/> whose handler chain paces, limits and retries) with its method, path, query, body and
/// end-to-end headers intact, and the response comes back as it arrives.
/// </summary>
internal sealed class ProxyEndpoint(
    IHttpClientFactory clients,
    UpstreamTarget upstream,
    CallerAuthenticator authenticator,
    GatewayOptions options,
    ResponseRelay relay,
    Limiter limiter,
    BudgetGuard budgets,
    CostCalculator costs,
    ShutdownGate gate,
    GatewayMetrics metrics,
    TrafficTally tally,
    TimeProvider timeProvider,
    ILogger<ProxyEndpoint> logger)
{
    public const string ClientName = "Pacer.Gateway.Upstream";
    public const string UserHeader = "x-pacer-user";
    public const string EndpointHeader = "x-pacer-endpoint";
    public const string PriorityHeader = "x-pacer-priority";
    public const int MaxLabelLength = 200;

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = timeProvider.GetTimestamp();
        var path = context.Request.Path.Value ?? "/";
        var record = new ProxyRecord
        {
            Endpoint = Label(context.Request.Headers[EndpointHeader]) ?? path,
            Kind = PacerRequestContext.Classify(HttpMethod.Parse(context.Request.Method), path),
        };
        metrics.Started();
        try
        {
            await ProxyAsync(context, record).ConfigureAwait(false);
        }
        catch (Exception error) when (!context.Response.HasStarted && error is not OperationCanceledException)
        {
            GatewayLog.UpstreamFailed(logger, record.Endpoint, error.GetType().Name);
            record.End(ProxyOutcome.GatewayError);
            await Answer(context, record, new AnthropicError(StatusCodes.Status500InternalServerError, "api_error", "The gateway failed to handle the request.")).ConfigureAwait(false);
        }
        finally
        {
            var elapsed = timeProvider.GetElapsedTime(started);
            var status = context.RequestAborted.IsCancellationRequested && record.Outcome == ProxyOutcome.ClientGone ? 499 : context.Response.StatusCode;
            var usage = record.Usage;
            var outcome = record.OutcomeName();
            GatewayLog.Request(logger, context.Request.Method, record.Endpoint, record.User ?? AcquireRequest.AnonymousUser, record.Model, status,
                record.Attempts, record.QueueMs, usage?.InputTokens ?? 0, usage?.OutputTokens ?? 0, (long)elapsed.TotalMilliseconds, outcome);
            metrics.Finished(Route(record.Kind), status, elapsed, record.Model, usage?.RateLimitedInputTokens ?? 0, usage?.OutputTokens ?? 0);
            tally.Ended(status, record.Attempts, record.QueueMs, outcome, elapsed);
        }
    }

    private async Task ProxyAsync(HttpContext context, ProxyRecord record)
    {
        var request = context.Request;
        if (Admit(request, out var priority, out var deadline, out var caller) is { } refused)
        {
            await Answer(context, record, refused).ConfigureAwait(false);
            return;
        }

        var body = await BodyReader.ReadAsync(request, options.MaxRequestBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await Answer(context, record, new AnthropicError(StatusCodes.Status413RequestEntityTooLarge, "request_too_large",
                $"Request body exceeds the gateway's limit of {options.MaxRequestBodyBytes} bytes (PACER_MAX_BODY_BYTES).")).ConfigureAwait(false);
            return;
        }

        // The body is classified, parsed for its facts and estimated once, here: the engine's handler takes them from the request.
        using var outgoing = new HttpRequestMessage(new HttpMethod(request.Method), upstream.Resolve(request.Path, request.QueryString));
        var pacing = body.Length > 0 || request.ContentType is not null
            ? outgoing.SetPacerContent(body, limiter)
            : await outgoing.PreparePacerContextAsync(limiter, context.RequestAborted).ConfigureAwait(false);
        record.Model = pacing.Model;
        record.User = caller.User ?? pacing.MetadataUserId ?? (options.TrustUserHeader ? Label(request.Headers[UserHeader]) : null);
        HeaderPolicy.CopyRequestHeaders(request.Headers, outgoing);
        authenticator.SetUpstreamKey(outgoing);
        if (record.User is { } user)
        {
            outgoing.Options.Set(PacerRequestOptions.User, user);
        }

        outgoing.Options.Set(PacerRequestOptions.Endpoint, record.Endpoint);
        outgoing.SetPacerPriority(priority);
        CallerDeadline.Attach(outgoing, deadline);
        BudgetReservation hold;
        try
        {
            hold = await pacing.ReserveBudgetAsync(budgets, costs, record.User ?? AcquireRequest.AnonymousUser, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BudgetExceededException exceeded)
        {
            await Answer(context, record, new AnthropicError(BillingErrorBody.StatusCode, BillingErrorBody.ErrorType, exceeded.Message)).ConfigureAwait(false);
            return;
        }

        // Released when the request has ended, after the recorder has charged what it really cost.
        using var budgetHold = hold;
        using var response = await SendAsync(context, outgoing, record).ConfigureAwait(false);
        if (response is null)
        {
            return;
        }

        var eventStream = response.Content.Headers.ContentType?.MediaType == "text/event-stream";
        context.Response.StatusCode = (int)response.StatusCode;
        HeaderPolicy.CopyResponseHeaders(response, context.Response, keepLength: !eventStream);
        try
        {
            await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or IOException)
        {
            record.End(ProxyOutcome.ClientGone);
            return;
        }

        var result = await relay.CopyAsync(response, context, eventStream).ConfigureAwait(false);
        record.Usage = result.Usage;
        record.End(result.End switch
        {
            StreamEnd.Completed => ProxyOutcome.Ok,
            StreamEnd.ClientGone => ProxyOutcome.ClientGone,
            StreamEnd.Truncated => ProxyOutcome.StreamTruncated,
            StreamEnd.Stalled => ProxyOutcome.StreamStalled,
            StreamEnd.ShuttingDown => ProxyOutcome.StreamShuttingDown,
            _ => ProxyOutcome.StreamCut,
        });
        if (result.End is not (StreamEnd.Completed or StreamEnd.ClientGone))
        {
            metrics.StreamError(result.End.ToString().ToLowerInvariant());
            GatewayLog.StreamEndedEarly(logger, record.Endpoint, result.End.ToString());
        }
    }

    /// <summary>The guards before the body is read: shutdown, the label headers, the priority header, the deadline headers, the caller's key.</summary>
    private AnthropicError? Admit(HttpRequest request, out RequestPriority priority, out DateTimeOffset? deadline, out Caller caller)
    {
        priority = RequestPriority.Interactive;
        deadline = null;
        caller = default!;
        if (gate.IsStopping)
        {
            return new AnthropicError(529, "overloaded_error", "The gateway is shutting down; retry the request.") { RetryAfter = TimeSpan.FromSeconds(1) };
        }

        return BadLabel(request, UserHeader)
            ?? BadLabel(request, EndpointHeader)
            ?? ReadPriority(request, out priority)
            ?? CallerDeadline.Read(request.Headers, timeProvider.GetUtcNow(), out deadline)
            ?? authenticator.Authenticate(request, out caller);
    }

    /// <summary>Sends the request through the engine; every way it can fail without an upstream answer is mapped here.</summary>
    private async Task<HttpResponseMessage?> SendAsync(HttpContext context, HttpRequestMessage outgoing, ProxyRecord record)
    {
        HttpResponseMessage? response = null;
        Exception? failure = null;
        try
        {
            response = await clients.CreateClient(ClientName).SendAsync(outgoing, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception caught) when (caught is PacerRejectedException or OperationCanceledException or TimeoutException or HttpRequestException)
        {
            failure = caught;
        }

        if (outgoing.GetPacerContext() is { } pacing)
        {
            record.Attempts = pacing.Attempts;
            record.QueueMs = (long)pacing.QueueTime.TotalMilliseconds;
        }

        if (failure is null)
        {
            return response;
        }

        if (failure is PacerRejectedException rejected)
        {
            // Anthropic's own 429 (529 while shutting down) with retry-after, so that SDK clients back off correctly.
            record.End(ProxyOutcome.Rejected, rejected.Reason.ToString().ToLowerInvariant());
            var refusal = RejectionResponse.Create(rejected);
            refusal.Headers.TryAddWithoutValidation(PacerHeaders.Attempts, record.Attempts.ToString(CultureInfo.InvariantCulture));
            refusal.Headers.TryAddWithoutValidation(PacerHeaders.QueueMilliseconds, record.QueueMs.ToString(CultureInfo.InvariantCulture));
            return refusal;
        }

        var (outcome, error) = failure switch
        {
            PacerDeadlineExceededException late => (ProxyOutcome.Deadline, CallerDeadline.Answer(context, late)),
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => (ProxyOutcome.ClientGone, null),
            HttpRequestException unreachable =>
                (ProxyOutcome.UpstreamUnreachable, new AnthropicError(StatusCodes.Status502BadGateway, "api_error", $"The upstream could not be reached ({unreachable.HttpRequestError}).")),
            _ => (ProxyOutcome.UpstreamTimeout, (AnthropicError?)new AnthropicError(StatusCodes.Status504GatewayTimeout, "timeout_error", "The upstream did not answer in time.")),
        };
        if (failure is HttpRequestException broken)
        {
            GatewayLog.UpstreamFailed(logger, record.Endpoint, broken.HttpRequestError.ToString());
        }

        record.End(outcome);
        if (error is not null)
        {
            await Answer(context, record, error).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>Answers the caller with the gateway's own error; a request that had no outcome yet is refused by it.</summary>
    private static async Task Answer(HttpContext context, ProxyRecord record, AnthropicError error)
    {
        if (record.Outcome == ProxyOutcome.Ok)
        {
            record.End(ProxyOutcome.Refused, error.Type);
        }

        context.Response.Headers[PacerHeaders.Attempts] = record.Attempts.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers[PacerHeaders.QueueMilliseconds] = record.QueueMs.ToString(CultureInfo.InvariantCulture);
        await error.ExecuteAsync(context).ConfigureAwait(false);
    }

    private static AnthropicError? BadLabel(HttpRequest request, string header)
    {
        var value = request.Headers[header].ToString();
        return value.Length > MaxLabelLength || value.Any(char.IsControl)
            ? AnthropicError.InvalidRequest($"The {header} header must be at most {MaxLabelLength} characters without control characters.")
            : null;
    }

    /// <summary>Reads <c>x-pacer-priority</c>: absent means interactive; anything but the two names is refused.</summary>
    private static AnthropicError? ReadPriority(HttpRequest request, out RequestPriority priority)
    {
        priority = RequestPriority.Interactive;
        var values = request.Headers[PriorityHeader];
        return values.Count == 0 || (values.Count == 1 && RequestPriorityNames.TryParse(values[0], out priority))
            ? null
            : AnthropicError.InvalidRequest($"The {PriorityHeader} header must be {RequestPriorityNames.Allowed}.");
    }

    private static string? Label(Microsoft.Extensions.Primitives.StringValues values)
    {
        var value = values.ToString().Trim();
        return value.Length is > 0 and <= MaxLabelLength ? value : null;
    }

    private static string Route(PacerRequestKind kind) => kind switch
    {
        PacerRequestKind.Messages => "messages",
        PacerRequestKind.CountTokens => "count_tokens",
        _ => "other",
    };

    /// <summary>What the request log line reports about one proxied request.</summary>
    private sealed class ProxyRecord
    {
        private string? _detail;

        public required string Endpoint { get; init; }

        public required PacerRequestKind Kind { get; init; }

        public string? User { get; set; }

        public string Model { get; set; } = string.Empty;

        public int Attempts { get; set; }

        public long QueueMs { get; set; }

        public TokenUsage? Usage { get; set; }

        public ProxyOutcome Outcome { get; private set; }

        /// <summary>Sets how the request ended; <paramref name="detail"/> names a refusal's error type or a rejection's reason.</summary>
        public void End(ProxyOutcome outcome, string? detail = null)
        {
            Outcome = outcome;
            _detail = detail;
        }

        public string OutcomeName() => Outcome switch
        {
            ProxyOutcome.Ok => "ok",
            ProxyOutcome.Refused => _detail ?? "refused",
            ProxyOutcome.Rejected => "rejected_" + _detail,
            ProxyOutcome.ClientGone => "client_gone",
            ProxyOutcome.UpstreamTimeout => "upstream_timeout",
            ProxyOutcome.Deadline => "deadline",
            ProxyOutcome.UpstreamUnreachable => "upstream_unreachable",
            ProxyOutcome.StreamTruncated => "stream_truncated",
            ProxyOutcome.StreamCut => "stream_cut",
            ProxyOutcome.StreamStalled => "stream_stalled",
            ProxyOutcome.StreamShuttingDown => "stream_shuttingdown",
            _ => "gateway_error",
        };
    }
}
