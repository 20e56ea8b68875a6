using System.Net;
using Microsoft.Playwright;
using Pacer.Dashboard.Tests.Support;
using Pacer.Gateway.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Pacer.Dashboard.Tests;

public sealed class SignInTests(Browser browser)
{
    [Fact]
    public async Task SignIn_WrongKey_RefusedAndNoSession()
    {
        await using var setup = await SimulatedGateway.StartAsync();
        var page = await browser.NewPageAsync(setup.Gateway.BaseUrl);

        await page.GotoAsync("/");
        page.Url.ShouldEndWith("/dashboard");
        await page.FillAsync("#admin-key", "not-the-admin-key-at-all");
        await page.ClickAsync("#signin-form button[type=submit]");

        await Expect(page.Locator("#signin-error")).ToContainTextAsync("does not match PACER_ADMIN_API_KEY");
        await Expect(page.Locator("#nav")).ToBeHiddenAsync();
        (await page.Context.CookiesAsync()).ShouldBeEmpty();
        (await page.InputValueAsync("#admin-key")).ShouldBeEmpty();
        await Browser.ScreenshotAsync(page, "signin-refused");

        await DashboardPage.SignInAsync(page);
        var cookie = (await page.Context.CookiesAsync()).Single();
        cookie.HttpOnly.ShouldBeTrue();
        cookie.SameSite.ShouldBe(SameSiteAttribute.Strict);
        cookie.Value.ShouldNotContain(TestGateway.AdminKey);
        (await page.EvaluateAsync<string>("document.cookie")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Session_WithoutCsrfHeader_AdminApiRefuses()
    {
        await using var setup = await SimulatedGateway.StartAsync();
        var page = await browser.NewPageAsync(setup.Gateway.BaseUrl);
        await DashboardPage.SignInAsync(page);

        // The cookie alone (what another site could make the browser send) opens nothing.
        var status = await page.EvaluateAsync<int>("async () => (await fetch('/api/admin/rate-limit-status')).status");
        var withHeader = await page.EvaluateAsync<int>(
            "async () => { const s = await (await fetch('/dashboard/session')).json(); return (await fetch('/api/admin/rate-limit-status', { headers: { 'X-Pacer-CSRF': s.csrf } })).status; }");

        status.ShouldBe((int)HttpStatusCode.Unauthorized);
        withHeader.ShouldBe((int)HttpStatusCode.OK);
    }

    [Fact]
    public async Task Page_AdminApiOff_SaysHowToTurnItOn()
    {
        await using var setup = await SimulatedGateway.StartAsync(new Dictionary<string, string?> { ["PACER_ADMIN_API_KEY"] = null });
        var page = await browser.NewPageAsync(setup.Gateway.BaseUrl);

        await page.GotoAsync("/dashboard");

        await Expect(page.Locator("#admin-off")).ToBeVisibleAsync();
        await Expect(page.Locator("#admin-off-text")).ToContainTextAsync("Set PACER_ADMIN_API_KEY");
        await Expect(page.Locator("#signin")).ToBeHiddenAsync();
        await Browser.ScreenshotAsync(page, "admin-off");
    }

    [Fact]
    public async Task Answers_DashboardAndAdmin_NotCachedNotSniffed()
    {
        await using var setup = await SimulatedGateway.StartAsync();
        var client = setup.Gateway.Client;

        foreach (var path in new[] { "/dashboard", "/dashboard/assets/app.js", "/dashboard/session" })
        {
            using var response = await client.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            response.Headers.CacheControl!.NoStore.ShouldBeTrue(path);
            response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"], path);
        }

        using var admin = await client.SendAsync(setup.Gateway.Admin(HttpMethod.Get, "/api/admin/rate-limit-status"));
        admin.Headers.CacheControl!.NoStore.ShouldBeTrue();
        admin.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
    }
}
