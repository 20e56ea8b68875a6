using System.Collections.Concurrent;
using Pacer.Goodput.Hosting;
using Pacer.Goodput.Systems;
using Pacer.Goodput.Workloads;

namespace Pacer.Goodput.ScaleOut;

/// <summary>
/// The callers' way to several gateways, as a load balancer gives it: caller c sends to gateway c mod n; once a gateway
/// is taken out (killed), its callers send to the next one still up. Remembers which gateway each request went to.
/// </summary>
internal sealed class GatewayRoutes : IAsyncDisposable
{
    private static readonly TimeSpan PacedTimeout = TimeSpan.FromMinutes(10);
    private readonly IReadOnlyList<ChildProcess> _gateways;
    private readonly HttpSender[] _senders;
    private readonly int[] _down;
    private readonly ConcurrentDictionary<int, int> _sentTo = new();

    private GatewayRoutes(IReadOnlyList<ChildProcess> gateways, string apiKey)
    {
        _gateways = gateways;
        _down = new int[gateways.Count];
        // The timeout covers the queue wait in the gateway, as docs/ENGINE.md asks of a paced client.
        _senders = [.. gateways.Select(g => new HttpSender(new HttpClient(new RequestTag(new SocketsHttpHandler())) { Timeout = PacedTimeout }, g.Address, apiKey))];
    }

    public int Count => _gateways.Count;

    /// <summary>
    /// Starts <paramref name="count"/> gateways in front of <paramref name="upstream"/>, one after another, all with the
    /// same settings; <paramref name="started"/> runs after each (given its number) before the next starts.
    /// </summary>
    public static async Task<GatewayRoutes> StartAsync(Uri upstream, int count, IReadOnlyDictionary<string, string> settings, string apiKey, Func<int, Task> started)
    {
        ArgumentNullException.ThrowIfNull(started);
        var gateways = new List<ChildProcess>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                gateways.Add(await GatewayProcess.StartAsync(upstream, settings));
                await started(i);
            }
        }
        catch
        {
            foreach (var gateway in gateways)
            {
                await gateway.DisposeAsync();
            }

            throw;
        }

        return new GatewayRoutes(gateways, apiKey);
    }

    /// <summary>The sender caller <paramref name="caller"/> uses.</summary>
    public IRequestSender For(int caller) => new Route(this, caller % _gateways.Count);

    /// <summary>Takes the gateway out of the rotation, then kills it with SIGKILL; requests it holds fail at their callers.</summary>
    public async Task KillAsync(int gateway)
    {
        Volatile.Write(ref _down[gateway], 1);
        await _gateways[gateway].KillAsync();
    }

    /// <summary>The gateway the request with this index was last sent to.</summary>
    public int GatewayOf(int index) => _sentTo.TryGetValue(index, out var gateway) ? gateway : -1;

    public async ValueTask DisposeAsync()
    {
        foreach (var sender in _senders)
        {
            await sender.DisposeAsync();
        }

        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }
    }

    private int Pick(int home)
    {
        for (var i = 0; i < _gateways.Count; i++)
        {
            var gateway = (home + i) % _gateways.Count;
            if (Volatile.Read(ref _down[gateway]) == 0)
            {
                return gateway;
            }
        }

        throw new InvalidOperationException("Every gateway is down.");
    }

    private sealed class Route(GatewayRoutes routes, int home) : IRequestSender
    {
        public async Task<CallOutcome> SendAsync(WorkItem item, CancellationToken cancellationToken)
        {
            var gateway = routes.Pick(home);
            routes._sentTo[item.Index] = gateway;
            try
            {
                return await routes._senders[gateway].SendAsync(item, cancellationToken);
            }
            catch (IOException error)
            {
                // A connection cut mid-answer by the kill.
                return CallOutcome.Failed(error.GetType().Name);
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
