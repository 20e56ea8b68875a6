using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Pacer.TestSupport;

/// <summary>
/// A real <c>redis-server</c>, for the tests and the benchmark harness alike: on 127.0.0.1 and a free port, its files
/// in a temporary folder, no persistence; ready once it answers PING (bounded). It can be killed and started again on
/// the same port (an outage, as a crash makes it). The binary comes from <c>PACER_TEST_REDIS_SERVER</c>, else
/// <c>redis-server</c> on the PATH (<c>./test.sh</c> installs it). Disposing it kills it and deletes its folder.
/// </summary>
internal sealed class RedisServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(10);
    private readonly string _folder;
    private Process? _process;

    public RedisServerProcess(string folderPrefix = "pacer-redis-")
    {
        _folder = Directory.CreateTempSubdirectory(folderPrefix).FullName;
        Port = FreePort();
    }

    /// <summary>Gets the port.</summary>
    public int Port { get; }

    /// <summary>Gets the URL for <c>PACER_REDIS_URL</c>.</summary>
    public string Url => string.Create(CultureInfo.InvariantCulture, $"redis://127.0.0.1:{Port}");

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
        foreach (var argument in new[] { "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--dir", _folder, "--protected-mode", "no" })
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
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var probe = await ConnectionMultiplexer.ConnectAsync(string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port},connectTimeout=500"));
                await probe.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (waited.Elapsed < StartBound && !_process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Kills the server at once (SIGKILL).</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync().WaitAsync(ExitBound);
        }
    }

    /// <summary>Connects a client that rides out an outage (no abort on connect, short timeouts).</summary>
    public async Task<ConnectionMultiplexer> ConnectAsync() =>
        await ConnectionMultiplexer.ConnectAsync(string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,asyncTimeout=1000,syncTimeout=1000"));

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
