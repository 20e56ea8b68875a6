using StackExchange.Redis;

namespace Pacer.Goodput.Hosting;

/// <summary>
/// A <c>redis-server</c> of the harness's own (<see cref="RedisServerProcess"/>, shared with the tests: loopback, a
/// free port, no persistence, a temporary folder) and the harness's own connection to it. Disposing it kills it.
/// </summary>
internal sealed class RedisProcess : IAsyncDisposable
{
    private readonly RedisServerProcess _server;

    private RedisProcess(RedisServerProcess server, ConnectionMultiplexer connection)
    {
        _server = server;
        Connection = connection;
    }

    public int Port => _server.Port;

    /// <summary>Gets the URL for <c>PACER_REDIS_URL</c>.</summary>
    public string Url => _server.Url;

    /// <summary>Gets the harness's own connection, to read the limiter's keys.</summary>
    public ConnectionMultiplexer Connection { get; }

    public static async Task<RedisProcess> StartAsync()
    {
        var server = new RedisServerProcess("pacer-bench-redis-");
        try
        {
            await server.StartAsync();
            return new RedisProcess(server, await server.ConnectAsync());
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        await _server.DisposeAsync();
    }
}
