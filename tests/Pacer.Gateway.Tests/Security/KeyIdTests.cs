using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Pacer.Gateway.Storage;
using Pacer.Gateway.Tests.Support;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Simulator;

namespace Pacer.Gateway.Tests.Security;

public sealed class KeyIdTests
{
    private const string CallerKey = "sk-ant-api03-caller-key-for-key-id-tests";

    private static readonly byte[] SecretA = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    private static readonly byte[] SecretB = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    [Fact]
    public void Of_Keyed_IsAnHmacOfTheKey_DifferentPerSecret_NeverThePlainHash()
    {
        var plain = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CallerKey))[..8]);
        var keyed = UpstreamKeyId.Of(CallerKey, SecretA);

        keyed.ShouldBe(Convert.ToHexStringLower(HMACSHA256.HashData(SecretA, Encoding.UTF8.GetBytes(CallerKey))[..8]));
        keyed.Length.ShouldBe(16);
        keyed.ShouldNotBe(plain);
        keyed.ShouldNotBe(UpstreamKeyId.Of(CallerKey, SecretB));
        keyed.ShouldNotBe(UpstreamKeyId.Of(CallerKey + "x", SecretA));
        UpstreamKeyId.Of(CallerKey, SecretA).ShouldBe(keyed);
    }

    [Fact]
    public async Task Secret_AppliesToItsOwnAsynchronousFlowOnly()
    {
        using var request = new HttpRequestMessage();
        request.Headers.Add("x-api-key", CallerKey);
        var unkeyed = UpstreamKeyId.From(request.Headers);

        async Task<string> UnderAsync(byte[] secret)
        {
            UpstreamKeyId.Secret = secret;
            await Task.Yield();
            return UpstreamKeyId.From(request.Headers);
        }

        var (a, b) = (UnderAsync(SecretA), UnderAsync(SecretB));
        (await a).ShouldBe(UpstreamKeyId.Of(CallerKey, SecretA));
        (await b).ShouldBe(UpstreamKeyId.Of(CallerKey, SecretB));
        UpstreamKeyId.From(request.Headers).ShouldBe(unkeyed);
        UpstreamKeyId.Secret.ShouldBeNull();
    }

    [Fact]
    public void Secret_TooShort_Refused()
    {
        Should.Throw<ArgumentException>(() => UpstreamKeyId.Secret = new byte[16]).Message.ShouldContain("at least 32 bytes");
    }

    [Fact]
    public void InstallationStore_MadeOnce_KeptAcrossOpenings_DifferentPerStore()
    {
        var folder = Directory.CreateTempSubdirectory("pacer-keyid-").FullName;
        var time = new FakeTimeProvider();
        var first = Store(Path.Combine(folder, "a.db"), time).KeyIdSecret();
        var again = Store(Path.Combine(folder, "a.db"), time).KeyIdSecret();
        var other = Store(Path.Combine(folder, "b.db"), time).KeyIdSecret();

        first.Length.ShouldBe(32);
        again.ShouldBe(first);
        other.ShouldNotBe(first);
        TestGateway.DeleteFolder(folder);
    }

    [Fact]
    public async Task Gateway_KeyIdsAreKeyedByTheStoresSecret_StableAcrossRestarts_NeverThePlainHashInLogsOrStatus()
    {
        await using var simulator = await SimulatorHost.StartAsync(SimulatedGateway.FastSimulator()).WaitAsync(TimeSpan.FromSeconds(30));
        var folder = Directory.CreateTempSubdirectory("pacer-keyid-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["ANTHROPIC_BASE_URL"] = simulator.BaseAddress.ToString(),
            ["PACER_ADMIN_API_KEY"] = TestGateway.AdminKey,
        };
        var plain = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CallerKey))[..8]);

        string firstId;
        await using (var gateway = await TestGateway.StartAsync(settings, folder))
        {
            firstId = await SendAndReadKeyIdAsync(gateway);
            var secret = new InstallationStore(gateway.Service<GatewayDatabase>(), TimeProvider.System).KeyIdSecret();
            firstId.ShouldBe(UpstreamKeyId.Of(CallerKey, secret));
            firstId.ShouldNotBe(plain);

            using var status = await gateway.Client.SendAsync(gateway.Admin(HttpMethod.Get, "/api/admin/rate-limit-status"));
            var body = await status.Content.ReadAsStringAsync();
            body.ShouldContain($"\"{firstId}\"");
            body.ShouldNotContain(plain);
            body.ShouldNotContain(CallerKey);
            foreach (var record in gateway.Logs.GetSnapshot())
            {
                record.Message.ShouldNotContain(plain);
                record.Message.ShouldNotContain(CallerKey);
            }

            gateway.Logs.GetSnapshot().Select(r => r.Message).ShouldContain(m => m.StartsWith("Upstream key ids are keyed hashes", StringComparison.Ordinal));
        }

        await using (var restarted = await TestGateway.StartAsync(settings, folder))
        {
            (await SendAndReadKeyIdAsync(restarted)).ShouldBe(firstId);
        }

        // The secret is kept in the store's installation table, base64 of 32 random bytes; the key appears nowhere in the file.
        SqliteConnection.ClearAllPools();
        (await File.ReadAllBytesAsync(Path.Combine(folder, "pacer.db"))).AsSpan().IndexOf(Encoding.UTF8.GetBytes(CallerKey)).ShouldBe(-1);
        TestGateway.DeleteFolder(folder);
    }

    private static InstallationStore Store(string path, TimeProvider time)
    {
        var database = new GatewayDatabase(path);
        database.Initialize();
        return new InstallationStore(database, time);
    }

    private static async Task<string> SendAndReadKeyIdAsync(TestGateway gateway)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", CallerKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        using var response = await gateway.Client.SendAsync(request);
        response.IsSuccessStatusCode.ShouldBeTrue(await response.Content.ReadAsStringAsync());
        return gateway.Service<Limiter>().Snapshot().UpstreamBuckets.ShouldHaveSingleItem().KeyId;
    }
}
