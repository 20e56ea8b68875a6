using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(Pacer.Dashboard.Tests.Support.Browser))]

namespace Pacer.Dashboard.Tests.Support;

/// <summary>
/// One headless Chromium for the test run: Debian's (<c>/usr/bin/chromium</c>, installed by <c>./test.sh</c>, or
/// <c>PACER_TEST_CHROMIUM</c>), driven by Playwright, which never downloads a browser of its own. Each test gets a new
/// context (its own cookies and a fresh profile).
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public const string DefaultChromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>Gets the folder the screenshots go to: <c>screenshots</c> in the test output folder.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async ValueTask InitializeAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("PACER_TEST_CHROMIUM") is { Length: > 0 } path ? path : DefaultChromium;
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException($"Chromium not found at {chromium}: ./test.sh installs Debian's (apt-get install chromium), or set PACER_TEST_CHROMIUM.");
        }

        Directory.CreateDirectory(ScreenshotFolder);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Timeout = 60_000,
            // This machine has no network but loopback: nothing of Chromium's own may try to reach out.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A new page in a new context, at <paramref name="baseUrl"/>, laptop-sized unless told otherwise.</summary>
    public async Task<IPage> NewPageAsync(Uri baseUrl, int width = 1280, int height = 900)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>Saves a full-page screenshot as <c>screenshots/&lt;name&gt;.png</c> in the test output folder.</summary>
    public static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
