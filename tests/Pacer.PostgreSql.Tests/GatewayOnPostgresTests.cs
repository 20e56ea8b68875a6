using System.Diagnostics;
using System.Net;
using System.Text;
using Npgsql;

namespace Pacer.PostgreSql.Tests;

/// <summary>A gateway process whose usage ledger and budgets are on PostgreSQL (<c>PACER_USAGE_STORE</c>), as several gateways share them.</summary>
public sealed class GatewayOnPostgresTests(PostgresServer server)
{
    [Fact]
    public async Task Gateway_UsageStoreOnPostgres_AnswersAndRecordsEachRequestThere()
    {
        var database = await server.CreateDatabaseAsync();
        await using var gateway = await GatewayProcess.StartAsync(new Dictionary<string, string> { ["PACER_USAGE_STORE"] = database });
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.BaseUrl, "/v1/messages"))
            {
                Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"Hello"}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("x-api-key", "sk-ant-test-key");
            request.Headers.Add("anthropic-version", "2023-06-01");
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, gateway.Output);
        }

        // The ledger writes in batches: wait (bounded) for the three rows.
        long rows = 0;
        var clock = Stopwatch.StartNew();
        while (rows < 3 && clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var count = new NpgsqlCommand("SELECT count(*) FROM usage_records", connection);
            rows = (long)(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        rows.ShouldBe(3, gateway.Output);
    }
}
