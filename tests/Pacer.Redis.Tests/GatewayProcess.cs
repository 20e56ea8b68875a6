using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Pacer.Redis.Tests;

/// <summary>
/// A real gateway process (<c>dotnet Pacer.Gateway.dll</c>, the build of the same configuration as the tests) on a free
/// loopback port, with its own database in a temp folder and the given settings. Disposing it kills it.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly string _folder;
    private readonly System.Text.StringBuilder _output = new();

    private GatewayProcess(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        BaseUrl = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseUrl { get; }

    /// <summary>Gets what the process printed so far (for a failing assertion's message).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<GatewayProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var folder = Directory.CreateTempSubdirectory("pacer-gw-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        start.ArgumentList.Add(GatewayAssembly());
        start.Environment["PACER_GATEWAY_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["PACER_DB_PATH"] = Path.Combine(folder, "pacer.db");
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The gateway did not start.");
        var gateway = new GatewayProcess(process, folder, port);
        process.OutputDataReceived += (_, line) => gateway.Append(line.Data);
        process.ErrorDataReceived += (_, line) => gateway.Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout && !process.HasExited)
        {
            try
            {
                using var ready = await client.GetAsync(new Uri(gateway.BaseUrl, "/healthz"));
                if (ready.IsSuccessStatusCode)
                {
                    return gateway;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        await gateway.DisposeAsync();
        throw new InvalidOperationException("The gateway did not answer /healthz in time: " + gateway.Output);
    }

    /// <summary>Kills the process with SIGKILL: no shutdown, no release.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string GatewayAssembly()
    {
        // tests/Pacer.Redis.Tests/bin/<Configuration>/net10.0 -> src/Pacer.Gateway/bin/<Configuration>/net10.0
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        var root = output.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(root, "src", "Pacer.Gateway", "bin", configuration, framework, "Pacer.Gateway.dll");
        return File.Exists(path) ? path : throw new InvalidOperationException($"Build the gateway first ({path} is missing): ./test.sh builds the whole solution.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
