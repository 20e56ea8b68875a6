using System.Net;
using System.Text.Json;
using Pacer.Dashboard.Tests.Support;
using Pacer.Gateway.Dashboard;
using Pacer.Gateway.Tests.Support;
using static Microsoft.Playwright.Assertions;
using static Pacer.Gateway.Tests.Support.GatewayRequests;

namespace Pacer.Dashboard.Tests;

public sealed class AlertTests(Browser browser)
{
    [Fact]
    public async Task Alert_Repeated429s_ShownLoggedOnceAndPostedToTheWebhook()
    {
        // The receiver refuses the first delivery: the gateway must retry it.
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 1);
        await using var setup = await SimulatedGateway.StartAsync(new Dictionary<string, string?>
        {
            ["PACER_ALERT_WEBHOOK_URL"] = receiver.Url.ToString(),
            ["PACER_ALERT_UPSTREAM_429S"] = "2",
        });
        var page = await browser.NewPageAsync(setup.Gateway.BaseUrl);
        await DashboardPage.SignInAsync(page);

        for (var i = 0; i < 2; i++)
        {
            using var request = Message(user: "alice");
            request.Headers.Add("x-simulator-fault", "429:1,ok");
            (await setup.Client.SendAsync(request)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await Expect(page.Locator("#banner p[data-rule='upstream_429s']")).ToContainTextAsync("answered 2 requests with 429");
        var delivered = await receiver.Accepted.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        using (var alert = JsonDocument.Parse(delivered))
        {
            alert.RootElement.GetProperty("rule").GetString().ShouldBe("upstream_429s");
            alert.RootElement.GetProperty("state").GetString().ShouldBe("firing");
            alert.RootElement.GetProperty("severity").GetString().ShouldBe("warning");
            alert.RootElement.GetProperty("value").GetDouble().ShouldBe(2);
            alert.RootElement.GetProperty("threshold").GetDouble().ShouldBe(2);
        }

        receiver.Received.ShouldBe(2);
        await DashboardPage.GoAsync(page, "alerts");
        await Expect(page.Locator("#alerts-firing li[data-rule='upstream_429s']")).ToHaveCountAsync(1);
        await Expect(page.Locator("#alert-count")).ToHaveTextAsync("1");
        await Browser.ScreenshotAsync(page, "alerts");

        // Still firing two evaluations later, and logged once for the episode.
        var history = setup.Gateway.Service<LiveHistory>();
        var seen = history.Since(0)[^1].Time;
        for (var i = 0; i < 200 && history.Since(seen).Length < 2; i++)
        {
            await Task.Delay(50);
        }

        history.Since(seen).Length.ShouldBeGreaterThanOrEqualTo(2);
        await Expect(page.Locator("#alerts-firing li[data-rule='upstream_429s']")).ToHaveCountAsync(1);
        setup.Gateway.Logs.GetSnapshot().Count(r => r.Message.StartsWith("Alert upstream_429s firing", StringComparison.Ordinal)).ShouldBe(1);
        var webhookLines = setup.Gateway.Logs.GetSnapshot().Where(r => r.Category!.EndsWith("AlertWebhook", StringComparison.Ordinal)).ToList();
        webhookLines.ShouldBeEmpty();
        setup.Gateway.Logs.GetSnapshot().ShouldNotContain(r => r.Message.Contains(receiver.Url.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Alert_SharedStoreUnreachable_ShownAsCritical()
    {
        // A Redis address where nothing listens: the gateway starts on its failure policy (its share of the limits).
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var setup = await SimulatedGateway.StartAsync(new Dictionary<string, string?>
        {
            ["PACER_REDIS_URL"] = $"redis://127.0.0.1:{port}",
            ["PACER_REDIS_START_DEGRADED"] = "true",
            ["PACER_REDIS_TIMEOUT"] = "100",
        });
        var page = await browser.NewPageAsync(setup.Gateway.BaseUrl);

        await DashboardPage.SignInAsync(page);

        await Expect(page.Locator("#banner p[data-rule='shared_store_degraded']")).ToContainTextAsync("cannot be reached");
        await DashboardPage.GoAsync(page, "alerts");
        await Expect(page.Locator("#alerts-firing li.critical[data-rule='shared_store_degraded']")).ToHaveCountAsync(1);
        setup.Gateway.Logs.GetSnapshot().Count(r => r.Message.StartsWith("Alert shared_store_degraded firing (critical)", StringComparison.Ordinal)).ShouldBe(1);
    }
}
