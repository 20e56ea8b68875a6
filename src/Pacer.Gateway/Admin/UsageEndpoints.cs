using System.Text.Json;
using Pacer.Gateway.Proxy;
using Pacer.Usage;

namespace Pacer.Gateway.Admin;

/// <summary>
/// Usage and budgets on the admin API: <c>GET /api/admin/usage</c> (JSON, or CSV with <c>format=csv</c> or
/// <c>/usage.csv</c>), and per-user credit budgets under <c>/api/admin/budgets</c>.
/// </summary>
internal static class UsageEndpoints
{
    private static readonly string[] QueryParameters = ["from", "to", "user", "groupBy", "format"];

    public static void MapUsage(this RouteGroupBuilder admin)
    {
        admin.MapGet("/usage", (HttpContext context, IUsageLedger ledger) => UsageAsync(context, ledger, csv: false));
        admin.MapGet("/usage.csv", (HttpContext context, IUsageLedger ledger) => UsageAsync(context, ledger, csv: true));
        admin.MapGet("/budgets", ListBudgetsAsync);
        admin.MapGet("/budgets/{user}", GetBudgetAsync);
        admin.MapPut("/budgets/{user}", SetBudgetAsync);
        admin.MapDelete("/budgets/{user}", DeleteBudgetAsync);
    }

    private static async Task<IResult> UsageAsync(HttpContext context, IUsageLedger ledger, bool csv)
    {
        var query = context.Request.Query;
        var unknown = query.Keys.Where(k => !QueryParameters.Contains(k, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            return AdminJsonBody.Invalid($"Unknown query parameter {string.Join(", ", unknown.Select(k => $"'{k}'"))}; allowed: {string.Join(", ", QueryParameters)}.");
        }

        var format = query["format"].ToString();
        if (format.Length > 0 && format is not ("json" or "csv"))
        {
            return AdminJsonBody.Invalid($"format \"{format}\" is not one of: json, csv.");
        }

        if (!UsageQuery.TryParse(query["from"], query["to"], query["user"], query["groupBy"], out var usageQuery, out var error))
        {
            return AdminJsonBody.Invalid(error);
        }

        // Up to the moment: records still buffered are written first.
        await ledger.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        var report = await ledger.QueryAsync(usageQuery, context.RequestAborted).ConfigureAwait(false);
        return csv || format == "csv"
            ? Results.Text(UsageCsv.ToCsv(report), UsageCsv.ContentType)
            : Results.Text(UsageReportJson.ToJson(report), UsageReportJson.ContentType);
    }

    private static async Task<IResult> ListBudgetsAsync(BudgetGuard guard, CancellationToken cancellationToken)
    {
        var budgets = await guard.ListAsync(cancellationToken).ConfigureAwait(false);
        return Json(writer =>
        {
            writer.WriteStartArray("budgets");
            foreach (var budget in budgets)
            {
                budget.Write(writer);
            }

            writer.WriteEndArray();
        });
    }

    private static async Task<IResult> GetBudgetAsync(string user, BudgetGuard guard, CancellationToken cancellationToken) =>
        await guard.GetStatusAsync(user, cancellationToken).ConfigureAwait(false) is { } status
            ? Json(writer => Budget(writer, status))
            : NoBudget(user);

    private static async Task<IResult> SetBudgetAsync(string user, HttpRequest request, BudgetGuard guard)
    {
        var body = await BodyReader.ReadAsync(request, AdminJsonBody.MaxBytes, request.HttpContext.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            return new AnthropicError(StatusCodes.Status413RequestEntityTooLarge, "request_too_large", $"Admin request bodies are limited to {AdminJsonBody.MaxBytes} bytes.") { Admin = true };
        }

        if (!BudgetRequest.TryParse(user, body, out var budget, out var error))
        {
            return AdminJsonBody.Invalid(error + """ Expected {"credits":1000,"period":"day"} (period day or month).""");
        }

        var status = await guard.SetBudgetAsync(budget, request.HttpContext.RequestAborted).ConfigureAwait(false);
        return Json(writer => Budget(writer, status));
    }

    private static async Task<IResult> DeleteBudgetAsync(string user, BudgetGuard guard, CancellationToken cancellationToken) =>
        await guard.DeleteBudgetAsync(user, cancellationToken).ConfigureAwait(false)
            ? Json(writer => writer.WriteString("message", $"User '{user}' has no budget now: unlimited."))
            : NoBudget(user);

    private static AnthropicError NoBudget(string user) =>
        new(StatusCodes.Status404NotFound, "not_found_error", $"User '{(user.Length > 64 ? user[..64] + "..." : user)}' has no budget (users without one are unlimited).") { Admin = true };

    private static void Budget(Utf8JsonWriter writer, BudgetStatus status)
    {
        writer.WritePropertyName("budget");
        status.Write(writer);
    }

    /// <summary>A <c>{"success":true,...}</c> body whose other members <paramref name="write"/> adds.</summary>
    private static IResult Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("success", true);
            write(writer);
            writer.WriteEndObject();
        }

        return Results.Bytes(buffer.ToArray(), "application/json");
    }
}
