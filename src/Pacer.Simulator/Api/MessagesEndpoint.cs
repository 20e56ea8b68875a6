using Pacer.Simulator.Faults;
using Pacer.Simulator.Hosting;
using Pacer.Simulator.Limits;
using Pacer.Simulator.Messages;

namespace Pacer.Simulator.Api;

/// <summary>
/// <c>POST /v1/messages</c>: gate (key, version, body), checks, scripted or random fault, spend cap, acceleration
/// limit, the buckets, then the reply, non-streaming or streaming.
/// </summary>
internal sealed class MessagesEndpoint(SimulatorState state, FaultResponder faults, ReplyWriter writer)
{
    public const string FaultHeader = "x-simulator-fault";

    public async Task HandleAsync(HttpContext http)
    {
        var call = new ApiCall(http, state);
        if (!await RequestGate.AuthenticateAsync(call).ConfigureAwait(false) || !await RequestGate.CheckVersionAsync(call).ConfigureAwait(false))
        {
            return;
        }

        using var body = await RequestGate.ReadJsonAsync(call).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        var request = await ParseAsync(call, body, countTokens: false).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        var keyId = call.KeyId!;
        var model = request.Model;
        var step = await PlanFaultAsync(call, request).ConfigureAwait(false);
        if (step is null || await faults.TryRespondAsync(call, step.Value.Step, model, step.Value.Source).ConfigureAwait(false))
        {
            return;
        }

        if (state.Spend.IsCapped(keyId))
        {
            call.WriteLimitHeaders(model.Pool);
            await call.ErrorAsync(429, "rate_limit_error", RateLimitMessages.SpendCap, errorCode: "enforced_spend_limit_reached", limitHit: "spend").ConfigureAwait(false);
            return;
        }

        if (state.Acceleration.TryAdmit(keyId, model.Pool) is { } rampWait)
        {
            call.WriteLimitHeaders(model.Pool);
            var seconds = (long)Math.Ceiling(rampWait.TotalSeconds);
            await call.ErrorAsync(429, "rate_limit_error", RateLimitMessages.Acceleration(model.Id), seconds, "ramp_limit_exceeded", "acceleration").ConfigureAwait(false);
            return;
        }

        var plan = state.Cache.Plan(keyId, request.Prompt);
        var usage = plan.Usage;
        var charged = usage.Input + usage.CacheCreation + (model.CacheReadsCountTowardInput ? usage.CacheRead : 0);
        var decision = state.Limiter.TryAdmit(keyId, model.Pool, charged, request.MaxTokens);
        call.Record.Update(a => a with { InputTokens = charged });
        if (decision.Lease is not { } lease)
        {
            call.WriteLimitHeaders(decision.Reading);
            await call.ErrorAsync(429, "rate_limit_error", RateLimitMessages.For(decision, model.Id), decision.RetryAfterSeconds, limitHit: FaultResponder.LimitName(decision)).ConfigureAwait(false);
            return;
        }

        state.Cache.Commit(keyId, plan);
        var reply = state.Replies.Generate(request);
        var answer = new Answer(call, request, reply, usage, lease, step.Value.Step, state.Random.NextId("msg_"));
        try
        {
            if (request.Stream)
            {
                await writer.WriteStreamAsync(answer).ConfigureAwait(false);
            }
            else
            {
                await writer.WriteMessageAsync(answer).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && http.RequestAborted.IsCancellationRequested)
        {
            // The client left mid-answer; the lease below still settles what was produced.
        }
        finally
        {
            lease.Finish();
            state.Spend.Add(keyId, SpendMeter.Cost(model, usage.Input, usage.CacheCreation, usage.CacheRead, lease.Produced));
            Close(call, answer);
        }
    }

    /// <summary>Parses and checks the body; answers 400 or 404 and returns null when it is refused.</summary>
    internal static async Task<MessageRequest?> ParseAsync(ApiCall call, System.Text.Json.JsonDocument body, bool countTokens)
    {
        var root = body.RootElement;
        if (root.ValueKind == System.Text.Json.JsonValueKind.Object && root.TryGetProperty("model", out var model) && model.ValueKind == System.Text.Json.JsonValueKind.String)
        {
            var name = model.GetString();
            call.Record.Update(a => a with { Model = name, Stream = root.TryGetProperty("stream", out var s) && s.ValueKind == System.Text.Json.JsonValueKind.True });
        }

        try
        {
            return RequestParser.Parse(root, call.State.Catalog, countTokens);
        }
        catch (InvalidRequestException e)
        {
            call.WriteLimitHeaders((string?)null);
            await call.ErrorAsync(400, "invalid_request_error", e.Message).ConfigureAwait(false);
        }
        catch (UnknownModelException e)
        {
            call.WriteLimitHeaders((string?)null);
            await call.ErrorAsync(404, "not_found_error", e.Message).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>Chooses the request's fault; answers 400 and returns null when a script cannot be read.</summary>
    internal static async Task<(FaultStep Step, string Source)?> PlanFaultAsync(ApiCall call, MessageRequest request)
    {
        var header = call.Http.Request.Headers[FaultHeader].ToString();
        try
        {
            return call.State.Faults.Next(call.KeyId!, header, request.FaultScript);
        }
        catch (FormatException e)
        {
            call.WriteLimitHeaders(request.Model.Pool);
            var where = string.IsNullOrWhiteSpace(header) ? "model" : FaultHeader;
            await call.ErrorAsync(400, "invalid_request_error", $"{where}: {e.Message}").ConfigureAwait(false);
            return null;
        }
    }

    private static void Close(ApiCall call, Answer answer)
    {
        var aborted = call.Http.RequestAborted.IsCancellationRequested;
        var outcome = answer.Fault.Kind switch
        {
            FaultKind.Cut => "cut",
            FaultKind.Stall => "stall",
            FaultKind.ErrorEvent => "error_event",
            FaultKind.Malformed => "malformed",
            _ when aborted => "client_closed",
            _ => "ok",
        };
        call.Complete(200, answer.Request.Stream || !answer.Fault.IsStreamOnly ? outcome : "ok", a => a with
        {
            OutputTokens = answer.Lease.Produced,
            StopReason = answer.Reply.StopReason,
        });
    }
}
