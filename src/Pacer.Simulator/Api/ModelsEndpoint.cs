using System.Globalization;
using System.Text.Json;
using Pacer.Simulator.Hosting;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Api;

/// <summary>
/// <c>GET /v1/models</c> (newest first, paged by <c>limit</c>, <c>after_id</c>, <c>before_id</c>, with
/// <c>data</c>, <c>has_more</c>, <c>first_id</c>, <c>last_id</c>) and <c>GET /v1/models/{id}</c>.
/// </summary>
internal sealed class ModelsEndpoint(SimulatorState state)
{
    public async Task ListAsync(HttpContext http)
    {
        var call = new ApiCall(http, state);
        if (!await RequestGate.AuthenticateAsync(call).ConfigureAwait(false) || !await RequestGate.CheckVersionAsync(call).ConfigureAwait(false))
        {
            return;
        }

        var query = http.Request.Query;
        var limit = 20;
        if (query.ContainsKey("limit") && (!int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
        {
            call.WriteLimitHeaders((string?)null);
            await call.ErrorAsync(400, "invalid_request_error", "limit: Input should be between 1 and 1000").ConfigureAwait(false);
            return;
        }

        var models = state.Catalog.All.OrderByDescending(m => m.CreatedAt).ToList();
        var page = Page(models, query["after_id"].ToString(), query["before_id"].ToString(), limit, out var hasMore);
        call.WriteLimitHeaders((string?)null);
        await WriteAsync(call, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("data");
            foreach (var model in page)
            {
                WriteModel(json, model);
            }

            json.WriteEndArray();
            json.WriteBoolean("has_more", hasMore);
            WriteId(json, "first_id", page.FirstOrDefault());
            WriteId(json, "last_id", page.LastOrDefault());
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    public async Task GetAsync(HttpContext http, string id)
    {
        var call = new ApiCall(http, state);
        if (!await RequestGate.AuthenticateAsync(call).ConfigureAwait(false) || !await RequestGate.CheckVersionAsync(call).ConfigureAwait(false))
        {
            return;
        }

        call.WriteLimitHeaders((string?)null);
        if (state.Catalog.Find(id) is not { } model)
        {
            await call.ErrorAsync(404, "not_found_error", $"model: {id}").ConfigureAwait(false);
            return;
        }

        await WriteAsync(call, json => WriteModel(json, model)).ConfigureAwait(false);
    }

    private static List<ModelOptions> Page(List<ModelOptions> models, string afterId, string beforeId, int limit, out bool hasMore)
    {
        if (beforeId.Length > 0)
        {
            var end = models.FindIndex(m => m.Id == beforeId);
            end = end < 0 ? 0 : end;
            var start = Math.Max(0, end - limit);
            hasMore = start > 0;
            return models.GetRange(start, end - start);
        }

        var first = afterId.Length > 0 ? models.FindIndex(m => m.Id == afterId) + 1 : 0;
        first = first <= 0 && afterId.Length > 0 ? models.Count : first;
        var count = Math.Min(limit, models.Count - first);
        hasMore = first + count < models.Count;
        return models.GetRange(first, count);
    }

    private static void WriteModel(Utf8JsonWriter json, ModelOptions model)
    {
        json.WriteStartObject();
        json.WriteString("type", "model");
        json.WriteString("id", model.Id);
        json.WriteString("display_name", model.DisplayName.Length > 0 ? model.DisplayName : model.Id);
        json.WriteString("created_at", model.CreatedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        json.WriteString("lifecycle", "active");
        if (model.Line is null)
        {
            json.WriteNull("line");
        }
        else
        {
            json.WriteString("line", model.Line);
        }

        json.WriteNumber("max_input_tokens", model.ContextWindow);
        json.WriteNumber("max_tokens", model.MaxOutputTokens);
        json.WriteEndObject();
    }

    private static void WriteId(Utf8JsonWriter json, string name, ModelOptions? model)
    {
        if (model is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, model.Id);
        }
    }

    private static async Task WriteAsync(ApiCall call, Action<Utf8JsonWriter> write)
    {
        var response = call.Http.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(response.BodyWriter, JsonOutput.Options))
        {
            write(json);
        }

        await response.BodyWriter.FlushAsync(call.Aborted).ConfigureAwait(false);
        call.Complete(200, "ok");
    }
}
