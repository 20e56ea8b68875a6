using System.Text.Json;
using Pacer.Simulator.Hosting;

namespace Pacer.Simulator.Api;

/// <summary>
/// <c>POST /v1/messages/count_tokens</c>: the same checks and faults as Messages, its own requests-per-minute bucket
/// per key, and <c>{"input_tokens": N}</c>, the same total a Messages request's usage adds up to.
/// </summary>
internal sealed class CountTokensEndpoint(SimulatorState state, FaultResponder faults)
{
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

        var request = await MessagesEndpoint.ParseAsync(call, body, countTokens: true).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        var step = await MessagesEndpoint.PlanFaultAsync(call, request).ConfigureAwait(false);
        if (step is null || await faults.TryRespondAsync(call, step.Value.Step, request.Model, step.Value.Source).ConfigureAwait(false))
        {
            return;
        }

        var decision = state.Limiter.TryAdmitCountTokens(call.KeyId!, request.Model.Pool);
        call.WriteLimitHeaders(decision.Reading);
        if (decision.Exceeded is not null)
        {
            var message = $"This request would exceed your organization's rate limit of {decision.Limit} count_tokens requests per minute.";
            await call.ErrorAsync(429, "rate_limit_error", message, decision.RetryAfterSeconds, limitHit: "requests").ConfigureAwait(false);
            return;
        }

        var total = request.Prompt.TotalTokens;
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(http.Response.BodyWriter, JsonOutput.Options))
        {
            json.WriteStartObject();
            json.WriteNumber("input_tokens", total);
            json.WriteEndObject();
        }

        await http.Response.BodyWriter.FlushAsync(call.Aborted).ConfigureAwait(false);
        call.Complete(200, "ok", a => a with { InputTokens = total });
    }
}
