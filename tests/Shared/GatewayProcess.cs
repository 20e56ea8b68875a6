using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Pacer.TestSupport;

/// <summary>
/// The gateway as users run it: <c>dotnet Pacer.Gateway.dll</c> (the build of the tests' own configuration) in a process
/// of its own, on a loopback port the system picks, working in a folder: a temp folder it deletes when disposed, or the
/// caller's, so that a second process can start on the same database after the first is killed. None of the test
/// runner's own <c>ANTHROPIC_*</c>, <c>PACER_*</c> or <c>ASPNETCORE_*</c> variables reach it, only the given settings.
/// Ready once it logs the address it listens on (bounded). Disposing it kills it.
/// </summary>
internal sealed partial class GatewayProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly string? _ownFolder;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GatewayProcess(Process process, string? ownFolder)
    {
        _process = process;
        _ownFolder = ownFolder;
    }

    /// <summary>Gets the address the gateway listens on, ending with a slash.</summary>
    public Uri BaseUrl => _address.Task.Result;

    /// <summary>Gets what the process printed so far, for an assertion's message.</summary>
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

    /// <summary>Starts a gateway in a temp folder of its own, its SQLite file there (<c>PACER_DB_PATH</c>), deleted when disposed.</summary>
    public static Task<GatewayProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var folder = Directory.CreateTempSubdirectory("pacer-gw-").FullName;
        var withDatabase = new Dictionary<string, string>(settings);
        withDatabase.TryAdd("PACER_DB_PATH", Path.Combine(folder, "pacer.db"));
        return StartAsync(folder, withDatabase, ownsFolder: true);
    }

    /// <summary>Starts a gateway working in <paramref name="folder"/>, which the caller owns and keeps.</summary>
    public static Task<GatewayProcess> StartAsync(string folder, IReadOnlyDictionary<string, string> settings) =>
        StartAsync(folder, settings, ownsFolder: false);

    /// <summary>SIGKILL: no shutdown code runs, nothing buffered is written, as in a crash. Returns once the process has gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(ExitBound);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        _process.Dispose();
        if (_ownFolder is not null)
        {
            try
            {
                Directory.Delete(_ownFolder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<GatewayProcess> StartAsync(string folder, IReadOnlyDictionary<string, string> settings, bool ownsFolder)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(GatewayAssembly());
        start.ArgumentList.Add("--urls=http://127.0.0.1:0");
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ANTHROPIC_", StringComparison.Ordinal) || k.StartsWith("PACER_", StringComparison.Ordinal) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var gateway = new GatewayProcess(process, ownsFolder ? folder : null);
        process.OutputDataReceived += (_, e) => gateway.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => gateway.OnLine(e.Data);
        process.Exited += (_, _) => gateway._address.TrySetException(new InvalidOperationException("The gateway exited before it listened: " + gateway.Output));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await gateway._address.Task.WaitAsync(StartBound);
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }

        return gateway;
    }

    private static string GatewayAssembly()
    {
        // Next to the tests when they reference the gateway; otherwise the gateway's own build of the same configuration:
        // tests/<project>/bin/<Configuration>/<framework> -> src/Pacer.Gateway/bin/<Configuration>/<framework>.
        var beside = Path.Combine(AppContext.BaseDirectory, "Pacer.Gateway.dll");
        if (File.Exists(beside))
        {
            return beside;
        }

        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        var root = output.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(root, "src", "Pacer.Gateway", "bin", configuration, framework, "Pacer.Gateway.dll");
        return File.Exists(path) ? path : throw new InvalidOperationException($"Build the gateway first ({path} is missing): ./test.sh builds the whole solution.");
    }

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (Listening().Match(line) is { Success: true } match)
        {
            _address.TrySetResult(new Uri(match.Groups[1].Value + "/"));
        }
    }
}
