using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pacer.Goodput.Overhead;

/// <summary>
/// The bare forwarder the gateway is compared with: YARP's direct forwarder (<c>MapForwarder</c>) on Kestrel, copying
/// every request to the upstream and the response back, with nothing else in the path.
/// </summary>
internal static class Forwarder
{
    public static async Task RunAsync(Uri upstream)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.AddHttpForwarder();
        await using var app = builder.Build();
        app.MapForwarder("/{**catch-all}", upstream.ToString().TrimEnd('/'));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine($"Forwarder listening on {address} -> {upstream}");
        await app.WaitForShutdownAsync();
    }
}
