using System.Text.Json;
using Pacer.Simulator.Control;
using Pacer.Simulator.Hosting;
using Pacer.Simulator.Limits;

namespace Pacer.Simulator.Api;

/// <summary>
/// One API request in flight: its id, its log entry, its caller's key id, and the ways to answer it in Anthropic's
/// shape. Every response carries <c>request-id</c> and <c>anthropic-organization-id</c>.
/// </summary>
internal sealed class ApiCall
{
    private static readonly HashSet<string> SecretHeaders = new(StringComparer.OrdinalIgnoreCase) { "x-api-key", "authorization", "cookie" };

    public ApiCall(HttpContext http, SimulatorState state)
    {
        Http = http;
        State = state;
        RequestId = state.Random.NextId("req_");
        http.Response.Headers["request-id"] = RequestId;
        http.Response.Headers["anthropic-organization-id"] = state.Options.OrganizationId;
        Record = state.Log.Open(new SimulatorAttempt
        {
            ArrivedAt = state.Time.GetUtcNow(),
            RequestId = RequestId,
            Method = http.Request.Method,
            Path = http.Request.Path.Value ?? "",
            Headers = http.Request.Headers
                .Where(h => !SecretHeaders.Contains(h.Key))
                .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal),
        });
    }

    public HttpContext Http { get; }

    public SimulatorState State { get; }

    public string RequestId { get; }

    public AttemptRecord Record { get; }

    /// <summary>The caller's key id, once authenticated.</summary>
    public string? KeyId { get; set; }

    public CancellationToken Aborted => Http.RequestAborted;

    public void WriteLimitHeaders(LimitReading reading) =>
        RateLimitHeaders.Write(Http.Response.Headers, reading, State.Options.Limits.RemainingRounding);

    /// <summary>Writes the headers of the key's pool (the catalog's first model's pool when no model is known).</summary>
    public void WriteLimitHeaders(string? pool)
    {
        if (KeyId is not null)
        {
            WriteLimitHeaders(State.Limiter.Read(KeyId, pool ?? State.Catalog.Default.Pool));
        }
    }

    /// <summary>Answers with an error in Anthropic's shape and closes the log entry.</summary>
    public async Task ErrorAsync(int status, string type, string message, long? retryAfterSeconds = null, string? errorCode = null, string? limitHit = null)
    {
        var response = Http.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using (var json = new Utf8JsonWriter(response.BodyWriter, JsonOutput.Options))
        {
            WriteErrorBody(json, type, message, errorCode, RequestId);
        }

        await response.BodyWriter.FlushAsync(Aborted).ConfigureAwait(false);
        Complete(status, type, a => a with { RetryAfterSeconds = retryAfterSeconds, LimitHit = limitHit });
    }

    /// <summary>Writes <c>{"type":"error","error":{...},"request_id":...}</c>.</summary>
    public static void WriteErrorBody(Utf8JsonWriter json, string type, string message, string? errorCode, string requestId)
    {
        json.WriteStartObject();
        json.WriteString("type", "error");
        json.WriteStartObject("error");
        json.WriteString("type", type);
        json.WriteString("message", message);
        if (errorCode is not null)
        {
            json.WriteStartObject("details");
            json.WriteString("error_code", errorCode);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteString("request_id", requestId);
        json.WriteEndObject();
    }

    /// <summary>Closes the log entry with its status and outcome.</summary>
    public void Complete(int status, string outcome, Func<SimulatorAttempt, SimulatorAttempt>? more = null)
    {
        var now = State.Time.GetUtcNow();
        Record.Update(a =>
        {
            var done = a with { Status = status, Outcome = outcome, CompletedAt = now, KeyId = KeyId };
            return more is null ? done : more(done);
        });
    }
}
