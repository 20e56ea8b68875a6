using System.Text.Json;
using Spectre.Console;

namespace Pacer.Cli.Admin;

/// <summary><c>pacer status</c>, <c>usage</c>, <c>keys</c> and <c>budgets</c>: a gateway's admin API as tables.</summary>
internal static class AdminCommands
{
    public static async Task<int> StatusAsync(AdminClient client, IAnsiConsole console, CancellationToken cancellationToken)
    {
        using var status = await client.GetJsonAsync("/api/admin/rate-limit-status", cancellationToken).ConfigureAwait(false);
        var root = status.RootElement;
        console.Write(JsonTables.Pairs("Configuration", root.GetProperty("configuration")));
        console.Write(JsonTables.Pairs("Current status at " + (root.TryGetProperty("timestamp", out var at) ? at.GetString() : "?"), root.GetProperty("currentStatus")));
        if (root.TryGetProperty("queue", out var queue))
        {
            console.Write(JsonTables.Pairs("Queue", queue));
        }

        if (root.TryGetProperty("upstreamBuckets", out var buckets) && buckets.GetArrayLength() > 0)
        {
            console.Write(JsonTables.Rows("Upstream buckets (learned)", buckets));
        }

        if (root.TryGetProperty("totals", out var totals))
        {
            console.Write(JsonTables.Pairs("Totals since start", totals));
        }

        if (root.TryGetProperty("gateway", out var gateway))
        {
            console.Write(JsonTables.Pairs("Gateway", gateway));
        }

        return ExitCodes.Success;
    }

    public static async Task<int> UsageAsync(AdminClient client, IAnsiConsole console, UsageFilter filter, bool csv, CancellationToken cancellationToken)
    {
        if (csv)
        {
            var text = await client.GetTextAsync("/api/admin/usage.csv" + filter.Query(), cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteAsync(text).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        using var usage = await client.GetJsonAsync("/api/admin/usage" + filter.Query(), cancellationToken).ConfigureAwait(false);
        var root = usage.RootElement;
        if (root.TryGetProperty("rows", out var rows))
        {
            console.Write(JsonTables.Rows("Usage", rows));
        }

        if (root.TryGetProperty("total", out var total))
        {
            console.Write(JsonTables.Pairs("Total", total));
        }

        return ExitCodes.Success;
    }

    public static Task<int> KeysAsync(AdminClient client, IAnsiConsole console, CancellationToken cancellationToken) =>
        ListAsync(client, console, "/api/admin/keys", "keys", "Managed keys", cancellationToken);

    public static Task<int> BudgetsAsync(AdminClient client, IAnsiConsole console, CancellationToken cancellationToken) =>
        ListAsync(client, console, "/api/admin/budgets", "budgets", "Budgets", cancellationToken);

    private static async Task<int> ListAsync(AdminClient client, IAnsiConsole console, string path, string property, string title, CancellationToken cancellationToken)
    {
        using var answer = await client.GetJsonAsync(path, cancellationToken).ConfigureAwait(false);
        if (answer.RootElement.TryGetProperty(property, out var found) && found.ValueKind == JsonValueKind.Array && found.GetArrayLength() == 0)
        {
            console.WriteLine(title + ": none");
            return ExitCodes.Success;
        }

        console.Write(answer.RootElement.TryGetProperty(property, out var list) && list.ValueKind == JsonValueKind.Array
            ? JsonTables.Rows(title, list)
            : JsonTables.Pairs(title, answer.RootElement));
        return ExitCodes.Success;
    }
}
