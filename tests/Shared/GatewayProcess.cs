namespace Pacer.TestSupport;

/// <summary>
/// The gateway as users run it: <c>dotnet Pacer.Gateway.dll</c> (the build of the tests' own configuration) in a
/// <see cref="ChildProcess"/> on a loopback port the system picks, working in a folder: a temp folder it deletes when
/// disposed, or the caller's, so that a second process can start on the same database after the first is killed. None
/// of the test runner's own <c>ANTHROPIC_*</c>, <c>PACER_*</c> or <c>ASPNETCORE_*</c> variables reach it, only the given
/// settings. Ready once it logs the address it listens on (bounded). Disposing it kills it.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private GatewayProcess(ChildProcess process) => _process = process;

    /// <summary>Gets the address the gateway listens on, ending with a slash.</summary>
    public Uri BaseUrl => _process.Address;

    /// <summary>Gets the last lines the process printed, for an assertion's message.</summary>
    public string Output => _process.Tail();

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
    public Task KillAsync() => _process.KillAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static async Task<GatewayProcess> StartAsync(string folder, IReadOnlyDictionary<string, string> settings, bool ownsFolder) =>
        new(await ChildProcess.StartAsync(GatewayAssembly(), ["--urls=http://127.0.0.1:0"], settings, folder, ownsFolder));

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
}
