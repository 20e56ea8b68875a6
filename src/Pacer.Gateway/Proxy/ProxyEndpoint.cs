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
    BudgetCheck budgets,
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
    private const string MessagesPath = "/v1/messages";

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = timeProvider.GetTimestamp();
        var record = new ProxyRecord { Endpoint = Label(context.Request.Headers[EndpointHeader]) ?? context.Request.Path.Value ?? "/" };
        metrics.Started();
        try
        {
            await ProxyAsync(context, record).ConfigureAwait(false);
        }
        catch (Exception error) when (!context.Response.HasStarted && error is not OperationCanceledException)
        {
            GatewayLog.UpstreamFailed(logger, record.Endpoint, error.GetType().Name);
            record.Outcome = "gateway_error";
            await Answer(context, record, new AnthropicError(StatusCodes.Status500InternalServerError, "api_error", "The gateway failed to handle the request.")).ConfigureAwait(false);
        }
        finally
        {
            var elapsed = timeProvider.GetElapsedTime(started);
            var status = context.RequestAborted.IsCancellationRequested && record.Outcome == "client_gone" ? 499 : context.Response.StatusCode;
            var usage = record.Usage;
            GatewayLog.Request(logger, context.Request.Method, record.Endpoint, record.User ?? AcquireRequest.AnonymousUser, record.Model, status,
                record.Attempts, record.QueueMs, usage?.InputTokens ?? 0, usage?.OutputTokens ?? 0, (long)elapsed.TotalMilliseconds, record.Outcome);
            metrics.Finished(Route(context.Request.Path), status, elapsed, record.Model, usage?.RateLimitedInputTokens ?? 0, usage?.OutputTokens ?? 0);
            tally.Ended(status, record.Attempts, record.QueueMs, record.Outcome, elapsed);
        }
    }

    private async Task ProxyAsync(HttpContext context, ProxyRecord record)
    {
        var request = context.Request;
        if (gate.IsStopping)
        {
            await Answer(context, record, Overloaded("The gateway is shutting down; retry the request.")).ConfigureAwait(false);
            return;
        }

        if ((BadLabel(request, UserHeader) ?? BadLabel(request, EndpointHeader)) is { } badHeader)
        {
            await Answer(context, record, badHeader).ConfigureAwait(false);
            return;
        }

        if (ReadPriority(request, out var priority) is { } badPriority)
        {
            await Answer(context, record, badPriority).ConfigureAwait(false);
            return;
        }

        if (CallerDeadline.Read(request.Headers, timeProvider.GetUtcNow(), out var deadline) is { } badDeadline)
        {
            await Answer(context, record, badDeadline).ConfigureAwait(false);
            return;
        }

        if (authenticator.Authenticate(request, out var caller) is { } refused)
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

        var facts = RequestFacts.Read(body);
        record.Model = facts.Model;
        record.User = caller.User ?? facts.UserId ?? (options.TrustUserHeader ? Label(request.Headers[UserHeader]) : null);

        // The body is parsed for its facts and estimated here, once: the engine's handler takes both from the message.
        var messages = HttpMethods.IsPost(request.Method) && request.Path.Equals(MessagesPath, StringComparison.Ordinal);
        InputEstimate? estimate = messages ? budgets.Estimate(facts, body) : null;
        using var outgoing = new HttpRequestMessage(new HttpMethod(request.Method), upstream.Resolve(request.Path, request.QueryString));
        if (body.Length > 0 || request.ContentType is not null)
        {
            outgoing.Content = new ByteArrayContent(body);
            PreparedBody.Attach(outgoing, body, facts, estimate);
        }

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
            hold = estimate is { } input
                ? await budgets.ReserveAsync(record.User ?? AcquireRequest.AnonymousUser, facts, input, context.RequestAborted).ConfigureAwait(false)
                : BudgetReservation.Unlimited;
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

        record.Attempts = HeaderNumber(response, PacerHeaders.Attempts) is { } attempts ? (int)attempts : 1;
        record.QueueMs = HeaderNumber(response, PacerHeaders.QueueMilliseconds) ?? 0;
        var eventStream = response.Content.Headers.ContentType?.MediaType == "text/event-stream";
        context.Response.StatusCode = (int)response.StatusCode;
        HeaderPolicy.CopyResponseHeaders(response, context.Response, keepLength: !eventStream);
        try
        {
            await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or IOException)
        {
            record.Outcome = "client_gone";
            return;
        }

        var result = await relay.CopyAsync(response, context, eventStream).ConfigureAwait(false);
        record.Usage = result.Usage;
        if (result.End != StreamEnd.Completed)
        {
            record.Outcome = result.End == StreamEnd.ClientGone ? "client_gone" : "stream_" + result.End.ToString().ToLowerInvariant();
        }

        if (result.End is not (StreamEnd.Completed or StreamEnd.ClientGone))
        {
            metrics.StreamError(result.End.ToString().ToLowerInvariant());
            GatewayLog.StreamEndedEarly(logger, record.Endpoint, result.End.ToString());
        }
    }

    private async Task<HttpResponseMessage?> SendAsync(HttpContext context, HttpRequestMessage outgoing, ProxyRecord record)
    {
        AnthropicError error;
        try
        {
            return await clients.CreateClient(ClientName).SendAsync(outgoing, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted).ConfigureAwait(false);
        }
        catch (PacerRejectedException rejected)
        {
            // Anthropic's own 429 (529 while shutting down) with retry-after, so that SDK clients back off correctly.
            record.Outcome = "rejected_" + rejected.Reason.ToString().ToLowerInvariant();
            var response = RejectionResponse.Create(rejected);
            response.Headers.TryAddWithoutValidation(PacerHeaders.Attempts, "0");
            response.Headers.TryAddWithoutValidation(PacerHeaders.QueueMilliseconds, "0");
            return response;
        }
        catch (PacerDeadlineExceededException late)
        {
            record.Outcome = "deadline";
            error = CallerDeadline.Answer(context, late);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            record.Outcome = "client_gone";
            return null;
        }
        catch (Exception failure) when (failure is OperationCanceledException or TimeoutException)
        {
            record.Outcome = "upstream_timeout";
            error = new AnthropicError(StatusCodes.Status504GatewayTimeout, "timeout_error", "The upstream did not answer in time.");
        }
        catch (HttpRequestException failure)
        {
            GatewayLog.UpstreamFailed(logger, record.Endpoint, failure.HttpRequestError.ToString());
            record.Outcome = "upstream_unreachable";
            error = new AnthropicError(StatusCodes.Status502BadGateway, "api_error", $"The upstream could not be reached ({failure.HttpRequestError}).");
        }

        await Answer(context, record, error).ConfigureAwait(false);
        return null;
    }

    private static AnthropicError Overloaded(string message) =>
        new(529, "overloaded_error", message) { RetryAfter = TimeSpan.FromSeconds(1) };

    private static async Task Answer(HttpContext context, ProxyRecord record, AnthropicError error)
    {
        if (record.Outcome == "ok")
        {
            record.Outcome = error.Type;
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

    private static long? HeaderNumber(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;

    private static string Route(PathString path) => path.Value switch
    {
        "/v1/messages" => "messages",
        "/v1/messages/count_tokens" => "count_tokens",
        _ => "other",
    };

    /// <summary>What the request log line reports about one proxied request.</summary>
    private sealed class ProxyRecord
    {
        public required string Endpoint { get; init; }

        public string? User { get; set; }

        public string Model { get; set; } = string.Empty;

        public int Attempts { get; set; }

        public long QueueMs { get; set; }

        public TokenUsage? Usage { get; set; }

        public string Outcome { get; set; } = "ok";
    }
}
