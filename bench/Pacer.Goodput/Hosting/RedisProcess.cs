using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Pacer.Goodput.Hosting;

/// <summary>
/// A <c>redis-server</c> of the harness's own: loopback, a free port, no persistence, its files in a temporary folder;
/// ready once it answers PING (bounded). Disposing it kills it.
/// </summary>
internal sealed class RedisProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(20);
    private readonly Process _process;
    private readonly string _folder;

    private RedisProcess(Process process, string folder, int port, ConnectionMultiplexer connection)
    {
        _process = process;
        _folder = folder;
        Port = port;
        Connection = connection;
    }

    public int Port { get; }

    /// <summary>Gets the URL for <c>PACER_REDIS_URL</c>.</summary>
    public string Url => string.Create(CultureInfo.InvariantCulture, $"redis://127.0.0.1:{Port}");

    /// <summary>Gets the harness's own connection, to read the limiter's keys.</summary>
    public ConnectionMultiplexer Connection { get; }

    public static async Task<RedisProcess> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("pacer-bench-redis-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var argument in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--dir", folder })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var connection = await ConnectionMultiplexer.ConnectAsync(string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port},connectTimeout=500"));
                await connection.GetDatabase().PingAsync();
                return new RedisProcess(process, folder, port, connection);
            }
            catch (RedisConnectionException) when (waited.Elapsed < StartBound && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
