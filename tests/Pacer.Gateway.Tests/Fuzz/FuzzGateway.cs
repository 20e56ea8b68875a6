using Pacer.Gateway.Tests.Support;

namespace Pacer.Gateway.Tests.Fuzz;

/// <summary>One gateway in front of the simulator, shared by the admin API's fuzz properties of a class.</summary>
public sealed class FuzzGateway : IAsyncLifetime
{
    internal SimulatedGateway Gateway { get; private set; } = null!;

    internal HttpClient Client => Gateway.Client;

    public async ValueTask InitializeAsync() => Gateway = await SimulatedGateway.StartAsync();

    public async ValueTask DisposeAsync() => await Gateway.DisposeAsync();
}
