using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Pacer.TestSupport;

/// <summary>
/// A small real HTTP server for a test (a scripted upstream, a webhook receiver): Kestrel on 127.0.0.1 and a port the
/// system picks, without logging, started and stopped within a bound.
/// </summary>
internal static class LoopbackApp
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>Builds the app, lets <paramref name="map"/> add its endpoints, starts it and returns it with its address (ending with a slash).</summary>
    public static async Task<(WebApplication App, Uri Address)> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        map(app);
        try
        {
            await app.StartAsync().WaitAsync(Bound);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return (app, new Uri(app.Urls.Single().TrimEnd('/') + "/"));
    }

    /// <summary>Stops the app (bounded) and disposes it.</summary>
    public static async ValueTask StopAsync(WebApplication app)
    {
        try
        {
            await app.StopAsync().WaitAsync(Bound);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }
}
