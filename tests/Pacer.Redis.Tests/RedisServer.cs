using StackExchange.Redis;

[assembly: AssemblyFixture(typeof(Pacer.Redis.Tests.RedisServer))]

namespace Pacer.Redis.Tests;

/// <summary>
/// The tests' real <c>redis-server</c> (<see cref="RedisServerProcess"/>), started once for the assembly: it can be
/// killed and started again on the same port (the tests of an outage).
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private readonly RedisServerProcess _server = new();

    /// <summary>Gets the port.</summary>
    public int Port => _server.Port;

    /// <summary>Gets the URL for <c>PACER_REDIS_URL</c>.</summary>
    public string Url => _server.Url;

    public async ValueTask InitializeAsync() => await _server.StartAsync();

    /// <summary>Starts the server again after <see cref="KillAsync"/> and waits (bounded) until it answers PING.</summary>
    public Task StartAsync() => _server.StartAsync();

    /// <summary>Kills the server at once (SIGKILL): an outage, as a crash makes it.</summary>
    public Task KillAsync() => _server.KillAsync();

    /// <summary>Connects a client.</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() => _server.ConnectAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
