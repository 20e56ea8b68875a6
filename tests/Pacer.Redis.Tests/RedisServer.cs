using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

[assembly: AssemblyFixture(typeof(Pacer.Redis.Tests.RedisServer))]

namespace Pacer.Redis.Tests;

/// <summary>
/// A real <c>redis-server</c> for the tests: on 127.0.0.1 and a free port, its files in a temp folder, no persistence;
/// it can be killed and started again on the same port (the tests of an outage). The binary comes from
/// <c>PACER_TEST_REDIS_SERVER</c>, else <c>redis-server</c> on the PATH (<c>./test.sh</c> installs it).
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly string _folder = Directory.CreateTempSubdirectory("pacer-redis-").FullName;
    private Process? _process;

    /// <summary>Gets the port.</summary>
    public int Port { get; } = FreePort();

    /// <summary>Gets the URL for <c>PACER_REDIS_URL</c>.</summary>
    public string Url => $"redis://127.0.0.1:{Port}";

    public async ValueTask InitializeAsync() => await StartAsync();

    /// <summary>Starts the server and waits (bounded) until it answers PING.</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo
        {
            FileName = Environment.GetEnvironmentVariable("PACER_TEST_REDIS_SERVER") is { Length: > 0 } binary ? binary : "redis-server",
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder,
        };
        foreach (var argument in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--dir", _folder, "--protected-mode", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("redis-server not found: install the redis-server package (./test.sh does) or set PACER_TEST_REDIS_SERVER.", exception);
        }

        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var probe = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port},connectTimeout=500");
                await probe.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (deadline.Elapsed < StartTimeout && !_process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Kills the server at once (SIGKILL): an outage, as a crash makes it.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Connects a client.</summary>
    public async Task<ConnectionMultiplexer> ConnectAsync() =>
        await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,asyncTimeout=1000,syncTimeout=1000");

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
