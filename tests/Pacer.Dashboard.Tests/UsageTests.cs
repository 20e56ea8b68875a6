using System.Net;
using System.Text.Json;
using Pacer.Dashboard.Tests.Support;
using Pacer.Gateway.Tests.Support;
using static Microsoft.Playwright.Assertions;
using static Pacer.Gateway.Tests.Support.GatewayRequests;

namespace Pacer.Dashboard.Tests;

public sealed class UsageTests(Browser browser)
{
    private static readonly string[] Columns = ["user", "endpoint", "model", "day", "requests", "failedRequests", "inputTokens", "outputTokens", "cacheWrite5mTokens", "cacheWrite1hTokens", "cacheReadTokens", "costUsd", "credits"];

    [Fact]
    public async Task Usage_Table_EqualsTheLedgerAndCsvDownloads()
    {
        await using var setup = await SimulatedGateway.StartAsync();
        foreach (var (user, endpoint) in new[] { ("alice", "/api/generate-scene"), ("alice", "/api/generate-scene"), ("bob", "/api/summarize"), ("carol", "/api/generate-scene") })
        {
            using var request = Message(user: user);
            request.Headers.Add("x-pacer-endpoint", endpoint);
            (await setup.Client.SendAsync(request)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var page = await browser.NewPageAsync(setup.Gateway.BaseUrl);
        await DashboardPage.SignInAsync(page);
        await DashboardPage.GoAsync(page, "usage");
        await Expect(page.Locator("#usage-table tbody tr")).ToHaveCountAsync(3);

        using var ledger = JsonDocument.Parse(await (await setup.Client.SendAsync(setup.Gateway.Admin(HttpMethod.Get, "/api/admin/usage?groupBy=user,endpoint,model,day"))).Content.ReadAsStringAsync());
        var expected = ledger.RootElement.GetProperty("rows").EnumerateArray()
            .Select(row => Columns.Select(c => row.GetProperty(c).ValueKind == JsonValueKind.Null ? "–" : row.GetProperty(c).ToString()).ToList())
            .ToList();
        var shown = await page.EvaluateAsync<string[][]>("() => [...document.querySelectorAll('#usage-table tbody tr')].map(r => [...r.cells].map(c => c.textContent))");
        shown.Select(r => r.ToList()).ToList().ShouldBe(expected);
        var total = ledger.RootElement.GetProperty("total");
        (await page.Locator("#usage-table tfoot td[data-column=requests]").TextContentAsync()).ShouldBe(total.GetProperty("requests").ToString());
        (await page.Locator("#usage-table tfoot td[data-column=credits]").TextContentAsync()).ShouldBe(total.GetProperty("credits").ToString());
        await Browser.ScreenshotAsync(page, "usage");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#usage-csv"));
        var csv = await File.ReadAllTextAsync(await download.PathAsync());
        var direct = await (await setup.Client.SendAsync(setup.Gateway.Admin(HttpMethod.Get, "/api/admin/usage.csv?groupBy=user,endpoint,model,day"))).Content.ReadAsStringAsync();
        csv.ShouldBe(direct);
        download.SuggestedFilename.ShouldEndWith(".csv");
    }
}
