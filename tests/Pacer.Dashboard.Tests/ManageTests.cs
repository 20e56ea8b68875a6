using System.Text.Json;
using Pacer.Dashboard.Tests.Support;
using Pacer.Gateway.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Pacer.Dashboard.Tests;

public sealed class ManageTests(Browser browser)
{
    [Fact]
    public async Task Settings_ChangeFromForm_AppliedAndBadValueShowsFieldErrorWithNothingChanged()
    {
        await using var setup = await SimulatedGateway.StartAsync();
        var page = await browser.NewPageAsync(setup.Gateway.BaseUrl);
        await DashboardPage.SignInAsync(page);
        await DashboardPage.GoAsync(page, "settings");
        await Expect(page.Locator("#setting-maxRetries")).ToHaveValueAsync("3");
        (await page.GetAttributeAsync("#setting-maxRequestsPerMinute", "max")).ShouldBe("1000");

        await page.FillAsync("#setting-maxRetries", "5");
        await page.FillAsync("#setting-baseDelay", "250");
        await page.ClickAsync("#settings-form button[type=submit]");

        await Expect(page.Locator("#settings-status")).ToContainTextAsync("Applied: maxRetries, baseDelay");
        var applied = await SettingsAsync(setup);
        applied.GetProperty("maxRetries").GetDouble().ShouldBe(5);
        applied.GetProperty("baseDelay").GetDouble().ShouldBe(250);

        await page.FillAsync("#setting-maxRequestsPerMinute", "0");
        await page.FillAsync("#setting-maxConcurrentRequests", "7");
        await page.ClickAsync("#settings-form button[type=submit]");

        await Expect(page.Locator("#error-maxRequestsPerMinute")).ToContainTextAsync("'0' is out of range; allowed 1-1000");
        await Expect(page.Locator("#setting-maxRequestsPerMinute")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#error-maxConcurrentRequests")).ToBeEmptyAsync();
        await Expect(page.Locator("#settings-error")).ToContainTextAsync("nothing changed");
        var unchanged = await SettingsAsync(setup);
        unchanged.GetProperty("maxRequestsPerMinute").GetDouble().ShouldBe(1000);
        unchanged.GetProperty("maxConcurrentRequests").GetDouble().ShouldBe(50);
        await Browser.ScreenshotAsync(page, "settings-error");
    }

    [Fact]
    public async Task Presets_EachClick_AppliesTheSeedsValues()
    {
        await using var setup = await SimulatedGateway.StartAsync();
        var page = await browser.NewPageAsync(setup.Gateway.BaseUrl);
        await DashboardPage.SignInAsync(page);
        await DashboardPage.GoAsync(page, "settings");

        foreach (var (preset, rpm, concurrency) in new[] { ("Aggressive", 200, 20), ("Balanced", 100, 10), ("Conservative", 50, 5) })
        {
            await page.ClickAsync($"button[data-preset='{preset}']");

            await Expect(page.Locator("#settings-status")).ToContainTextAsync($"{preset} applied");
            var settings = await SettingsAsync(setup);
            settings.GetProperty("maxRequestsPerMinute").GetDouble().ShouldBe(rpm, preset);
            settings.GetProperty("maxConcurrentRequests").GetDouble().ShouldBe(concurrency, preset);
            await Expect(page.Locator("#setting-maxRequestsPerMinute")).ToHaveValueAsync(rpm.ToString());
        }

        await Expect(page.Locator("#persisted")).ToContainTextAsync("maxRequestsPerMinute");
        await Browser.ScreenshotAsync(page, "settings");
    }

    [Fact]
    public async Task Keys_NewKey_SecretShownOnceThenRevoked()
    {
        await using var setup = await SimulatedGateway.StartAsync();
        var page = await browser.NewPageAsync(setup.Gateway.BaseUrl);
        await DashboardPage.SignInAsync(page);
        await DashboardPage.GoAsync(page, "keys");

        await page.FillAsync("#key-form input[name=user]", "alice");
        await page.FillAsync("#key-form input[name=name]", "laptop");
        await page.ClickAsync("#key-form button[type=submit]");

        await Expect(page.Locator("#new-secret")).ToBeVisibleAsync();
        var secret = await page.TextContentAsync("#new-secret-value") ?? string.Empty;
        secret.ShouldStartWith("sk-pacer-");
        await Expect(page.Locator("#keys-table tbody tr")).ToHaveCountAsync(1);
        var prefix = await page.TextContentAsync("#keys-table tbody tr td code") ?? string.Empty;
        secret.ShouldStartWith(prefix);
        await Browser.ScreenshotAsync(page, "keys-new-secret");

        await page.ClickAsync("#new-secret-done");
        await Expect(page.Locator("#new-secret")).ToBeHiddenAsync();
        (await page.ContentAsync()).ShouldNotContain(secret);
        await page.ReloadAsync();
        await DashboardPage.GoAsync(page, "keys");
        await Expect(page.Locator("#keys-table tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#new-secret")).ToBeHiddenAsync();
        (await page.ContentAsync()).ShouldNotContain(secret);

        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.ClickAsync("#keys-table button[data-revoke]");
        await Expect(page.Locator("#keys-table tbody tr td").Nth(5)).ToContainTextAsync("revoked");
        using var keys = JsonDocument.Parse(await (await setup.Client.SendAsync(setup.Gateway.Admin(HttpMethod.Get, "/api/admin/keys"))).Content.ReadAsStringAsync());
        keys.RootElement.GetProperty("keys")[0].GetProperty("active").GetBoolean().ShouldBeFalse();
        await Browser.ScreenshotAsync(page, "keys");
    }

    [Fact]
    public async Task Budgets_SetAndClear_ThroughTheAdminApi()
    {
        await using var setup = await SimulatedGateway.StartAsync();
        var page = await browser.NewPageAsync(setup.Gateway.BaseUrl);
        await DashboardPage.SignInAsync(page);
        await DashboardPage.GoAsync(page, "budgets");

        await page.FillAsync("#budget-form input[name=user]", "alice");
        await page.FillAsync("#budget-form input[name=credits]", "1000");
        await page.SelectOptionAsync("#budget-form select[name=period]", "month");
        await page.ClickAsync("#budget-form button[type=submit]");
        await Expect(page.Locator("#budgets-table tr[data-user='alice']")).ToHaveCountAsync(1);
        await page.FillAsync("#budget-form input[name=user]", "bob");
        await page.FillAsync("#budget-form input[name=credits]", "20");
        await page.ClickAsync("#budget-form button[type=submit]");

        await Expect(page.Locator("#budgets-table tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#budgets-table tr[data-user='alice'] td").Nth(2)).ToHaveTextAsync("month");
        await Browser.ScreenshotAsync(page, "budgets");
        using (var alice = await setup.Client.SendAsync(setup.Gateway.Admin(HttpMethod.Get, "/api/admin/budgets/alice")))
        {
            using var body = JsonDocument.Parse(await alice.Content.ReadAsStringAsync());
            body.RootElement.GetProperty("budget").GetProperty("credits").GetInt64().ShouldBe(1000);
            body.RootElement.GetProperty("budget").GetProperty("period").GetString().ShouldBe("month");
        }

        await page.ClickAsync("#budgets-table button[data-clear='alice']");

        await Expect(page.Locator("#budgets-table tbody tr")).ToHaveCountAsync(1);
        using var gone = await setup.Client.SendAsync(setup.Gateway.Admin(HttpMethod.Get, "/api/admin/budgets/alice"));
        ((int)gone.StatusCode).ShouldBe(404);
    }

    private static async Task<JsonElement> SettingsAsync(SimulatedGateway setup)
    {
        using var response = await setup.Client.SendAsync(setup.Gateway.Admin(HttpMethod.Get, "/api/admin/rate-limit-status"));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("settings").Clone();
    }
}
