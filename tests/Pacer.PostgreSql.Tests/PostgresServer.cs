using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

[assembly: AssemblyFixture(typeof(Pacer.PostgreSql.Tests.PostgresServer))]

namespace Pacer.PostgreSql.Tests;

/// <summary>
/// A throwaway PostgreSQL server for the test run: <c>initdb</c> into a temp folder, <c>pg_ctl start</c> on
/// 127.0.0.1 and a free port (unix socket in the same folder), stopped and deleted afterwards. The binaries come
/// from <c>PACER_TEST_PG_BIN</c>, else the newest <c>/usr/lib/postgresql/*/bin</c>. PostgreSQL refuses to run as
/// root, so as root the folder is handed to the <c>postgres</c> user and the binaries run through <c>runuser</c>.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string ServiceUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private string _bin = string.Empty;
    private string _folder = string.Empty;
    private bool _asServiceUser;
    private bool _started;

    /// <summary>Gets the connection string of the <c>postgres</c> database as the superuser <c>pacer</c>.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    public async ValueTask InitializeAsync()
    {
        _bin = FindBinaries();
        _asServiceUser = Environment.UserName == "root";
        _folder = Directory.CreateTempSubdirectory("pacer-pg-").FullName;
        if (_asServiceUser)
        {
            await RunAsync("chown", [ServiceUser, _folder], asServiceUser: false);
        }

        var data = Path.Combine(_folder, "data");
        await RunAsync(Path.Combine(_bin, "initdb"), ["-D", data, "-U", "pacer", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        var port = FreePort();
        var serverOptions = $"-h 127.0.0.1 -p {port} -k {_folder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(_folder, "server.log"), "-o", serverOptions, "-w", "-t", "60", "start"], captureOutput: false);
        _started = true;
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "pacer",
            Database = "postgres",
            Pooling = false,
            Timeout = 15,
        }.ConnectionString;
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"t_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_started)
            {
                await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "-t", "30", "stop"]);
            }
        }
        finally
        {
            if (_folder.Length > 0)
            {
                Directory.Delete(_folder, recursive: true);
            }
        }
    }

    private static string FindBinaries()
    {
        var bin = Environment.GetEnvironmentVariable("PACER_TEST_PG_BIN");
        if (string.IsNullOrWhiteSpace(bin) && Directory.Exists("/usr/lib/postgresql"))
        {
            bin = Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var major) ? major : 0)
                .LastOrDefault();
        }

        return !string.IsNullOrWhiteSpace(bin) && File.Exists(Path.Combine(bin, "initdb"))
            ? bin
            : throw new InvalidOperationException(
                "PostgreSQL server binaries not found: set PACER_TEST_PG_BIN to the folder holding initdb and pg_ctl, or install the postgresql package (./test.sh does).");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task RunAsync(string file, string[] arguments, bool? asServiceUser = null, bool captureOutput = true)
    {
        var start = new ProcessStartInfo
        {
            FileName = asServiceUser ?? _asServiceUser ? "runuser" : file,
            RedirectStandardOutput = captureOutput,
            RedirectStandardError = captureOutput,
            UseShellExecute = false,
            WorkingDirectory = _folder,
        };
        if (asServiceUser ?? _asServiceUser)
        {
            foreach (var prefix in new[] { "-u", ServiceUser, "--", file })
            {
                start.ArgumentList.Add(prefix);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = captureOutput ? process.StandardOutput.ReadToEndAsync() : Task.FromResult(string.Empty);
        var errors = captureOutput ? process.StandardError.ReadToEndAsync() : Task.FromResult(string.Empty);
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in {CommandTimeout.TotalSeconds} s.");
        }

        if (process.ExitCode != 0)
        {
            var log = Path.Combine(_folder, "server.log");
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await errors}" +
                (File.Exists(log) ? await File.ReadAllTextAsync(log) : string.Empty));
        }
    }
}
