using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Pacer.Gateway.Tests.Support;
using Pacer.Simulator;
using static Pacer.Gateway.Tests.Support.GatewayRequests;

namespace Pacer.Gateway.Tests.Crash;

/// <summary>
/// Issue 15, "Crashes": a real gateway process is killed with SIGKILL while requests stream through it, and a new
/// process starts on the same SQLite file. What an operator set (settings, keys, budgets) must be there, the file must
/// pass <c>PRAGMA integrity_check</c>, and every request whose answer reached its caller more than 100 ms before the
/// kill must be in the usage ledger.
/// </summary>
public sealed class GatewayCrashTests : IAsyncLifetime
{
    private const string AdminKey = "crash-admin-key-0123456789";
    private const int Callers = 16;
    private const int AnswersBeforeKill = 400;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LedgerBound = TimeSpan.FromMilliseconds(100);
    private readonly string _folder = Directory.CreateTempSubdirectory("pacer-crash-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private SimulatorHost _simulator = null!;

    private string DatabasePath => Path.Combine(_folder, "pacer.db");

    public async ValueTask InitializeAsync() => _simulator = await SimulatorHost.StartAsync(SimulatedGateway.FastSimulator()).WaitAsync(Bound);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _simulator.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Sigkill_UnderLoad_RestartOnTheSameFileKeepsSettingsKeysBudgetsAndEveryAnswerOlderThan100Ms()
    {
        string aliceKey;
        string bobKeyId;
        string bobKey;
        List<Answer> answers;
        long killedAt;
        await using (var gateway = await GatewayProcess.StartAsync(_folder, Settings()))
        {
            // What an operator sets through the admin API before the crash.
            (await AdminAsync(gateway, HttpMethod.Post, "api/admin/update-rate-limits", """{"config":{"maxRetries":5,"baseDelay":250,"maxQueueLength":5000}}""")).ShouldContain("Rate limits updated");
            (aliceKey, _) = await CreateKeyAsync(gateway, "alice");
            (bobKey, bobKeyId) = await CreateKeyAsync(gateway, "bob");
            await AdminAsync(gateway, HttpMethod.Delete, "api/admin/keys/" + bobKeyId);
            await AdminAsync(gateway, HttpMethod.Put, "api/admin/budgets/alice", """{"credits":100000000,"period":"month"}""");

            // Load from many callers; the kill comes while they are all mid-request.
            using var stop = new CancellationTokenSource();
            var done = new List<Answer>();
            var callers = Enumerable.Range(0, Callers).Select(_ => CallerAsync(gateway.BaseUrl, aliceKey, done, stop.Token)).ToList();
            var waited = Stopwatch.StartNew();
            while (Count(done) < AnswersBeforeKill)
            {
                waited.Elapsed.ShouldBeLessThan(Bound, "the gateway answered too few requests before the kill: " + gateway.Output);
                await Task.Delay(20);
            }

            killedAt = Stopwatch.GetTimestamp();
            await gateway.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(callers).WaitAsync(Bound);
            lock (done)
            {
                answers = [.. done];
            }
        }

        // The file as the crash left it, before anything reopens it.
        Pragma("PRAGMA integrity_check").ShouldBe("ok");
        var recorded = RecordedRequestIds();
        var old = answers.Where(a => Stopwatch.GetElapsedTime(a.CompletedAt, killedAt) > LedgerBound).ToList();
        var missing = old.Where(a => !recorded.Contains(a.RequestId)).ToList();
        // Enough answers older than the bound for the check to mean something; how many of the first ones are, depends on
        // how fast the gateway answered while the kill was being decided (thousands a second on a quiet machine).
        old.Count.ShouldBeGreaterThanOrEqualTo(AnswersBeforeKill / 8, $"{answers.Count} answers, {old.Count} older than the bound");
        missing.ShouldBeEmpty(string.Create(CultureInfo.InvariantCulture,
            $"{missing.Count} of {old.Count} answers completed more than 100 ms before the kill are not in the ledger; the oldest {missing.Select(a => Stopwatch.GetElapsedTime(a.CompletedAt, killedAt).TotalMilliseconds).DefaultIfEmpty().Max():0} ms before it"));

        await using (var restarted = await GatewayProcess.StartAsync(_folder, Settings()))
        {
            using var status = JsonDocument.Parse(await AdminAsync(restarted, HttpMethod.Get, "api/admin/rate-limit-status"));
            var settings = status.RootElement.GetProperty("settings");
            settings.GetProperty("maxRetries").GetInt32().ShouldBe(5);
            settings.GetProperty("baseDelay").GetInt32().ShouldBe(250);
            settings.GetProperty("maxQueueLength").GetInt32().ShouldBe(5000);
            settings.GetProperty("maxRequestsPerMinute").GetInt32().ShouldBe(100_000);

            using var keys = JsonDocument.Parse(await AdminAsync(restarted, HttpMethod.Get, "api/admin/keys"));
            var byUser = keys.RootElement.GetProperty("keys").EnumerateArray().ToDictionary(k => k.GetProperty("user").GetString()!, k => k.GetProperty("active").GetBoolean());
            byUser.ShouldBe(new Dictionary<string, bool> { ["alice"] = true, ["bob"] = false });
            (await SendAsync(restarted.BaseUrl, aliceKey)).Status.ShouldBe(HttpStatusCode.OK);
            (await SendAsync(restarted.BaseUrl, bobKey)).Status.ShouldBe(HttpStatusCode.Unauthorized);

            using var budget = JsonDocument.Parse(await AdminAsync(restarted, HttpMethod.Get, "api/admin/budgets/alice"));
            var alice = budget.RootElement.GetProperty("budget");
            alice.GetProperty("credits").GetInt64().ShouldBe(100_000_000);
            alice.GetProperty("period").GetString().ShouldBe("month");
            alice.GetProperty("spent").GetInt64().ShouldBeGreaterThanOrEqualTo(old.Count, "every recorded request cost alice at least one credit");
        }

        Pragma("PRAGMA integrity_check").ShouldBe("ok");
    }

    private static int Count(List<Answer> done)
    {
        lock (done)
        {
            return done.Count;
        }
    }

    private Dictionary<string, string> Settings() => new()
    {
        ["ANTHROPIC_BASE_URL"] = _simulator.BaseAddress.ToString().TrimEnd('/'),
        ["ANTHROPIC_API_KEY"] = "sk-ant-crash-upstream-0001",
        ["PACER_AUTH_MODE"] = "managed",
        ["PACER_ADMIN_API_KEY"] = AdminKey,
        ["PACER_DB_PATH"] = DatabasePath,
        ["PACER_EXTENDED_RANGES"] = "true",
        ["ANTHROPIC_RATE_LIMIT_PER_MINUTE"] = "100000",
        ["ANTHROPIC_CONCURRENT_REQUESTS"] = "64",
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
    };

    private async Task CallerAsync(Uri gateway, string key, List<Answer> done, CancellationToken stop)
    {
        await Task.Yield();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var (status, requestId) = await SendAsync(gateway, key, stop);
                var completedAt = Stopwatch.GetTimestamp();
                if (status == HttpStatusCode.OK)
                {
                    lock (done)
                    {
                        done.Add(new Answer(requestId, completedAt));
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
            {
                // The gateway is gone (or going): this request never got its answer.
                return;
            }
        }
    }

    private async Task<(HttpStatusCode Status, string RequestId)> SendAsync(Uri gateway, string key, CancellationToken cancellationToken = default)
    {
        using var request = Message(apiKey: key, maxTokens: 20);
        request.RequestUri = new Uri(gateway, "v1/messages");
        using var response = await _http.SendAsync(request, cancellationToken);
        // The answer is complete when its whole body has been read.
        await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return (response.StatusCode, Header(response, "request-id"));
    }

    private async Task<string> AdminAsync(GatewayProcess gateway, HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(gateway.BaseUrl, path));
        request.Headers.Add("X-API-Key", AdminKey);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue($"{method} {path}: {(int)response.StatusCode} {text}");
        return text;
    }

    private async Task<(string Secret, string Id)> CreateKeyAsync(GatewayProcess gateway, string user)
    {
        using var created = JsonDocument.Parse(await AdminAsync(gateway, HttpMethod.Post, "api/admin/keys", $$"""{"user":"{{user}}"}"""));
        return (created.RootElement.GetProperty("secret").GetString()!, created.RootElement.GetProperty("key").GetProperty("id").GetString()!);
    }

    private string Pragma(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (string)command.ExecuteScalar()!;
    }

    private HashSet<string> RecordedRequestIds()
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT request_id FROM usage_records WHERE request_id IS NOT NULL";
        using var reader = command.ExecuteReader();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private sealed record Answer(string RequestId, long CompletedAt);
}
