using Microsoft.Extensions.Time.Testing;
using Pacer.Gateway.Storage;
using Pacer.Gateway.Tests.Support;

namespace Pacer.Gateway.Tests.Storage;

public sealed class KeyStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "pacer-keystore-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new();
    private readonly GatewayDatabase _database;

    public KeyStoreTests()
    {
        _database = new GatewayDatabase(Path.Combine(_folder, "pacer.db"));
        _database.Initialize();
    }

    public void Dispose() => TestGateway.DeleteFolder(_folder);

    [Fact]
    public void FindActive_KeyRevokedByAnotherProcess_TrustedUntilTheCacheLifetimeEnds()
    {
        var gateway = new KeyStore(_database, _time);
        var other = new KeyStore(_database, _time);
        var (key, secret) = gateway.Create("alice", "laptop", _time.GetUtcNow());
        gateway.FindActive(secret).ShouldBe(key);

        other.Revoke(key.Id, _time.GetUtcNow()).ShouldNotBeNull();
        _time.Advance(ActiveKeyCache.Lifetime - TimeSpan.FromMilliseconds(1));
        gateway.FindActive(secret).ShouldBe(key);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        gateway.FindActive(secret).ShouldBeNull();
        other.FindActive(secret).ShouldBeNull();
    }

    [Fact]
    public void FindActive_KeyRevokedThroughThisStore_RefusedAtOnce()
    {
        var store = new KeyStore(_database, _time);
        var (key, secret) = store.Create("bob", string.Empty, _time.GetUtcNow());
        store.FindActive(secret).ShouldBe(key);

        store.Revoke(key.Id, _time.GetUtcNow());

        store.FindActive(secret).ShouldBeNull();
    }

    [Fact]
    public void FindActive_KeyIssuedByAnotherProcess_FoundOnItsFirstRequest()
    {
        var gateway = new KeyStore(_database, _time);
        gateway.FindActive("sk-pacer-not-issued-yet").ShouldBeNull();

        var (key, secret) = new KeyStore(_database, _time).Create("carol", string.Empty, _time.GetUtcNow());

        gateway.FindActive(secret).ShouldBe(key);
    }
}
