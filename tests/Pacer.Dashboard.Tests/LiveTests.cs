using System.Net;
using System.Text.Json;
using Pacer.Dashboard.Tests.Support;
using Pacer.Gateway.Tests.Support;
using static Microsoft.Playwright.Assertions;
using static Pacer.Gateway.Tests.Support.GatewayRequests;

namespace Pacer.Dashboard.Tests;

public sealed class LiveTests(Browser browser)
{
    [Fact]
    public async Task Live_AfterKnownLoad_FiguresEqualAdminApi()
    {
        await using var setup = await SimulatedGateway.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            (await setup.Client.SendAsync(Message(user: i % 2 == 0 ? "alice" : "bob"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        // One request meets one upstream 429, which the gateway absorbs with a retry.
        using var faulted = Message(user: "alice");
        faulted.Headers.Add("x-simulator-fault", "429:1,ok");
        (await setup.Client.SendAsync(faulted)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var page = await browser.NewPageAsync(setup.Gateway.BaseUrl);
        var problems = new List<string>();
        var elsewhere = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                problems.Add(message.Text);
            }
        };
        page.PageError += (_, error) => problems.Add(error);
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(setup.Gateway.BaseUrl.ToString(), StringComparison.Ordinal))
            {
                elsewhere.Add(request.Url);
            }
        };
        await DashboardPage.SignInAsync(page);
        using var status = JsonDocument.Parse(await (await setup.Client.SendAsync(setup.Gateway.Admin(HttpMethod.Get, "/api/admin/rate-limit-status"))).Content.ReadAsStringAsync());
        var root = status.RootElement;
        var totals = root.GetProperty("totals");
        var expected = new Dictionary<string, string>
        {
            ["live-rpm"] = root.GetProperty("currentStatus").GetProperty("requestsInLastMinute").ToString(),
            ["live-rpm-limit"] = root.GetProperty("configuration").GetProperty("maxRequestsPerMinute").ToString(),
            ["live-inflight"] = root.GetProperty("currentStatus").GetProperty("currentRequests").ToString(),
            ["live-concurrency"] = root.GetProperty("configuration").GetProperty("maxConcurrentRequests").ToString(),
            ["live-queued"] = root.GetProperty("queue").GetProperty("requests").ToString(),
            ["live-queued-users"] = root.GetProperty("queue").GetProperty("users").ToString(),
            ["total-requests"] = totals.GetProperty("requests").ToString(),
            ["total-attempts"] = totals.GetProperty("attempts").ToString(),
            ["total-retries"] = totals.GetProperty("retries").ToString(),
            ["total-ratelimited"] = totals.GetProperty("rateLimited").ToString(),
            ["total-failures"] = totals.GetProperty("failures").ToString(),
            ["total-rejections"] = totals.GetProperty("rejections").ToString(),
            ["live-absorbed"] = "1",
            ["live-passedon"] = "0",
        };

        expected["total-requests"].ShouldBe("6");
        expected["total-retries"].ShouldBe("1");
        foreach (var (id, value) in expected)
        {
            await Expect(page.Locator("#" + id)).ToHaveAttributeAsync("data-value", value);
        }

        // The queue per priority class, as the status gives it.
        foreach (var priority in root.GetProperty("queue").GetProperty("byPriority").EnumerateObject())
        {
            await Expect(page.Locator($"#live-queue-classes dd[data-part='{priority.Name}']")).ToHaveTextAsync(priority.Value.ToString());
        }

        // The charts hold the recent past the gateway kept, drawn by the vendored chart library.
        await Expect(page.Locator("#chart-rpm canvas")).ToHaveCountAsync(1);
        await Expect(page.Locator("#chart-events canvas")).ToHaveCountAsync(1);
        await Expect(page.Locator("#buckets-table tbody tr")).ToHaveCountAsync(root.GetProperty("upstreamBuckets").GetArrayLength());
        await Browser.ScreenshotAsync(page, "live");

        // The queue per priority class is drawn from the status as soon as it carries one (here given to the page's own
        // renderer, since this gateway's status has no classes yet).
        var classes = await page.EvaluateAsync<string>(
            "() => { const d = window.PacerDashboard; const s = d.state.status; d.live.renderStatus({ ...s, queue: { ...s.queue, byPriority: { interactive: 3, batch: 2 } } }); return document.getElementById('live-queue-classes').innerText; }");
        classes.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ShouldBe(["interactive", "3", "batch", "2"]);

        // Everything came from the gateway, and nothing broke (a script error, or a style or script the policy refused).
        elsewhere.ShouldBeEmpty();
        problems.ShouldBeEmpty();

        var phone = await browser.NewPageAsync(setup.Gateway.BaseUrl, width: 390, height: 844);
        await DashboardPage.SignInAsync(phone);
        await Expect(phone.Locator("#total-requests")).ToHaveAttributeAsync("data-value", "6");
        (await phone.EvaluateAsync<int>("document.documentElement.scrollWidth")).ShouldBeLessThanOrEqualTo(390);
        await Browser.ScreenshotAsync(phone, "live-phone");
    }

    [Fact]
    public async Task Live_Keyboard_ReachesEverySection()
    {
        await using var setup = await SimulatedGateway.StartAsync();
        var page = await browser.NewPageAsync(setup.Gateway.BaseUrl);
        await DashboardPage.SignInAsync(page);

        await page.FocusAsync("#nav a[data-view='settings']");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#view-settings")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("#nav a[data-view='budgets']")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#view-budgets")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task SignIn_SectionChosenWhileSettingsLoad_KeepsTheSectionAndItsFocus()
    {
        await using var setup = await SimulatedGateway.StartAsync();
        var page = await browser.NewPageAsync(setup.Gateway.BaseUrl);
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        var settingsAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var settingsGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync("**/api/admin/settings", async route =>
        {
            settingsAsked.TrySetResult();
            await settingsGo.Task;
            await route.ContinueAsync();
        });

        await page.GotoAsync("/dashboard");
        await page.FillAsync("#admin-key", TestGateway.AdminKey);
        await page.PressAsync("#admin-key", "Enter");
        await settingsAsked.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await page.FocusAsync("#nav a[data-view='settings']");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#view-settings")).ToBeVisibleAsync();

        settingsGo.SetResult();
        await Expect(page.Locator("#settings-fields input").First).ToBeAttachedAsync();
        await Expect(page.Locator("#view-settings")).ToBeVisibleAsync();
        await Expect(page.Locator("#nav a[data-view='settings']")).ToBeFocusedAsync();
        errors.ShouldBeEmpty();
    }
}
