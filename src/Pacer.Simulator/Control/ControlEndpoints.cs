using System.Globalization;
using System.Text;
using System.Text.Json;
using Pacer.Simulator.Faults;
using Pacer.Simulator.Hosting;

namespace Pacer.Simulator.Control;

/// <summary>
/// The control API for tests, under <c>/_simulator</c>: read and clear the attempt log, queue fault scripts, read
/// a key's buckets exactly, and reset all state. It needs no key: the simulator listens on loopback by default.
/// </summary>
internal static class ControlEndpoints
{
    public const string Prefix = "/_simulator";

    public static void Map(WebApplication app, SimulatorState state)
    {
        app.MapGet($"{Prefix}/attempts", (HttpContext http) =>
        {
            var after = long.TryParse(http.Request.Query["after"], NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : 0;
            return Results.Json(new AttemptPage(state.Log.Snapshot(after)), ControlJson.Default.AttemptPage);
        });
        app.MapDelete($"{Prefix}/attempts", () =>
        {
            state.Log.Clear();
            return Results.NoContent();
        });
        app.MapPost($"{Prefix}/faults", (Func<HttpContext, Task<IResult>>)(http => QueueFaultsAsync(http, state)));
        app.MapDelete($"{Prefix}/faults", () =>
        {
            state.Faults.Reset();
            return Results.NoContent();
        });
        app.MapGet($"{Prefix}/limits", (HttpContext http) => Limits(http, state));
        app.MapPost($"{Prefix}/reset", () =>
        {
            state.Reset();
            return Results.NoContent();
        });
    }

    private static async Task<IResult> QueueFaultsAsync(HttpContext http, SimulatorState state)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
        FaultRequest? request;
        try
        {
            request = http.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true
                ? JsonSerializer.Deserialize(text, ControlJson.Default.FaultRequest)
                : new FaultRequest(text, http.Request.Query["apiKey"].ToString() is { Length: > 0 } k ? k : null);
            var steps = FaultScript.Parse(request?.Script ?? "", state.Options.Faults);
            var keyId = string.IsNullOrEmpty(request?.ApiKey) ? null : KeyId.Of(request.ApiKey);
            state.Faults.Enqueue(steps, keyId);
            return Results.Json(new Dictionary<string, long> { ["queued"] = steps.Count, ["pending"] = state.Faults.Pending }, ControlJson.Default.DictionaryStringInt64);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return Results.Json(new Dictionary<string, object> { ["error"] = e.Message }, ControlJson.Default.DictionaryStringObject, statusCode: 400);
        }
    }

    private static IResult Limits(HttpContext http, SimulatorState state)
    {
        var apiKey = http.Request.Query["apiKey"].ToString();
        var modelName = http.Request.Query["model"].ToString();
        var model = modelName.Length > 0 ? state.Catalog.Find(modelName) : state.Catalog.Default;
        if (apiKey.Length == 0 || model is null)
        {
            return Results.Json(new Dictionary<string, object> { ["error"] = "apiKey and a known model are required" }, ControlJson.Default.DictionaryStringObject, statusCode: 400);
        }

        var reading = state.Limiter.Read(KeyId.Of(apiKey), model.Pool);
        return Results.Json(
            new Dictionary<string, long>
            {
                ["requestsLimit"] = reading.Requests.Limit,
                ["requestsRemaining"] = reading.Requests.Remaining,
                ["inputTokensLimit"] = reading.InputTokens.Limit,
                ["inputTokensRemaining"] = reading.InputTokens.Remaining,
                ["outputTokensLimit"] = reading.OutputTokens.Limit,
                ["outputTokensRemaining"] = reading.OutputTokens.Remaining,
            },
            ControlJson.Default.DictionaryStringInt64);
    }
}
