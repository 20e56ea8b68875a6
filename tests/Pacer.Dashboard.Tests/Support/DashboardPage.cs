using Microsoft.Playwright;
using Pacer.Gateway.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Pacer.Dashboard.Tests.Support;

/// <summary>What a person does on the dashboard: sign in, go to a section, read a figure.</summary>
internal static class DashboardPage
{
    public static async Task SignInAsync(IPage page, string key = TestGateway.AdminKey)
    {
        await page.GotoAsync("/dashboard");
        await page.FillAsync("#admin-key", key);
        await page.PressAsync("#admin-key", "Enter");
        await Expect(page.Locator("#nav")).ToBeVisibleAsync();
    }

    public static async Task GoAsync(IPage page, string view)
    {
        await page.ClickAsync($"#nav a[data-view='{view}']");
        await Expect(page.Locator($"#view-{view}")).ToBeVisibleAsync();
    }

    /// <summary>The raw value a live figure shows (its <c>data-value</c>).</summary>
    public static async Task<string> FigureAsync(IPage page, string id) =>
        await page.Locator("#" + id).GetAttributeAsync("data-value") ?? string.Empty;
}
