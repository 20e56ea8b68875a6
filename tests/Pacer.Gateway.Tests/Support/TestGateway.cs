using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Pacer.Gateway.Hosting;

namespace Pacer.Gateway.Tests.Support;

/// <summary>
/// A real gateway on Kestrel, 127.0.0.1 and a free port, with its own temporary store and captured logs. A store
/// folder the gateway made itself is removed when it is disposed, never before: a store taken away under a running
/// gateway fails its usage writes, and closing then retries them for the ledger's whole close timeout (30 s).
/// </summary>
internal sealed class TestGateway : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key-0123456789";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>The store folders of the gateways still running in this process, each with how many use it.</summary>
    private static readonly Dictionary<string, int> Running = new(StringComparer.Ordinal);

    private readonly bool _ownsFolder;
    private int _disposed;

    private TestGateway(WebApplication app, Uri baseUrl, string folder, bool ownsFolder)
    {
        App = app;
        BaseUrl = baseUrl;
        Folder = folder;
        _ownsFolder = ownsFolder;
        Client = new HttpClient { BaseAddress = baseUrl, Timeout = Bound };
    }

    public WebApplication App { get; }

    public Uri BaseUrl { get; }

    public string Folder { get; }

    public HttpClient Client { get; }

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>
    /// Starts a gateway with <paramref name="settings"/> (environment-variable names) and no other source, on the store
    /// in <paramref name="folder"/> (the caller's to remove once every gateway on it is disposed), or in a temporary
    /// folder of its own that disposing removes.
    /// </summary>
    public static async Task<TestGateway> StartAsync(IReadOnlyDictionary<string, string?> settings, string? folder = null, Action<IServiceCollection>? services = null)
    {
        var ownsFolder = folder is null;
        folder ??= Directory.CreateTempSubdirectory("pacer-gateway-").FullName;
        var values = new Dictionary<string, string?>(settings);
        values.TryAdd("PACER_DB_PATH", Path.Combine(folder, "pacer.db"));
        values.TryAdd("PACER_USAGE_STORE", Path.Combine(folder, "pacer.db"));
        var launch = new GatewayLaunch
        {
            Args = ["--urls=http://127.0.0.1:0"],
            AddSources = builder => builder.AddInMemoryCollection(values),
            Customize = builder =>
            {
                builder.Logging.ClearProviders();
                builder.Logging.AddFakeLogging();
                builder.Logging.Services.Configure<LoggerFilterOptions>(filters =>
                {
                    // Capture everything, down to the framework's trace lines, so that tests can prove no secret is logged.
                    filters.Rules.Clear();
                    filters.MinLevel = LogLevel.Trace;
                });
                services?.Invoke(builder.Services);
            },
        };
        Enter(folder);
        try
        {
            var app = await GatewayApplication.BuildAsync(launch).WaitAsync(Bound);
            await app.StartAsync().WaitAsync(Bound);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            return new TestGateway(app, new Uri(address), folder, ownsFolder);
        }
        catch
        {
            Leave(folder);
            throw;
        }
    }

    /// <summary>A request to the admin API with the test's admin key.</summary>
    public HttpRequestMessage Admin(HttpMethod method, string path, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-API-Key", AdminKey);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        return request;
    }

    public async Task StopAsync()
    {
        await App.StopAsync().WaitAsync(Bound);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Client.Dispose();
        try
        {
            await App.StopAsync().WaitAsync(Bound);
        }
        finally
        {
            await App.DisposeAsync();
            Leave(Folder);
            if (_ownsFolder)
            {
                DeleteFolder(Folder);
            }
        }
    }

    /// <summary>
    /// Removes a store folder once every gateway on it is disposed; a folder a running gateway still uses is refused,
    /// since the gateway would then spend its close timeout retrying the usage writes it can no longer make.
    /// </summary>
    public static void DeleteFolder(string folder)
    {
        lock (Running)
        {
            if (Running.ContainsKey(folder))
            {
                throw new InvalidOperationException($"The store folder {folder} is still used by a running gateway: dispose it first.");
            }
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left to the temp folder's cleaner.
        }
    }

    private static void Enter(string folder)
    {
        lock (Running)
        {
            Running[folder] = Running.GetValueOrDefault(folder) + 1;
        }
    }

    private static void Leave(string folder)
    {
        lock (Running)
        {
            if (Running[folder] == 1)
            {
                Running.Remove(folder);
            }
            else
            {
                Running[folder]--;
            }
        }
    }
}
