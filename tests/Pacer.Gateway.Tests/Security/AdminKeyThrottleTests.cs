using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pacer.Gateway.Admin;
using Pacer.Gateway.Tests.Support;

namespace Pacer.Gateway.Tests.Security;

public sealed class AdminKeyThrottleTests : IAsyncLifetime
{
    private const string WrongKey = "wrong-admin-key-0123456789";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
    private TestGateway _gateway = null!;

    public async ValueTask InitializeAsync() =>
        _gateway = await TestGateway.StartAsync(
            new Dictionary<string, string?> { ["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9", ["PACER_ADMIN_API_KEY"] = TestGateway.AdminKey },
            services: s => s.AddSingleton<TimeProvider>(_time));

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task WrongKeys_TenAMinuteThen429WithRetryAfter_EvenForTheRightKey_UntilTheMinuteHasPassed()
    {
        for (var i = 0; i < AdminKeyThrottle.MaxFailures; i++)
        {
            (await StatusAsync(WrongKey)).ShouldBe(HttpStatusCode.Unauthorized);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        using (var throttled = await SendAsync(WrongKey))
        {
            throttled.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            throttled.Headers.GetValues("retry-after").ShouldBe(["50"]);
            using var body = JsonDocument.Parse(await throttled.Content.ReadAsStringAsync());
            body.RootElement.GetProperty("success").GetBoolean().ShouldBeFalse();
            body.RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe("rate_limit_error");
            throttled.Headers.CacheControl!.NoStore.ShouldBeTrue();
        }

        // The right key is not even checked: the answer must not tell a guesser it was right.
        (await StatusAsync(TestGateway.AdminKey)).ShouldBe(HttpStatusCode.TooManyRequests);

        // The oldest failure leaves the window 60 s after it was made: one more attempt may then be checked.
        _time.Advance(TimeSpan.FromSeconds(49));
        (await StatusAsync(TestGateway.AdminKey)).ShouldBe(HttpStatusCode.TooManyRequests);
        _time.Advance(TimeSpan.FromSeconds(1));
        (await StatusAsync(TestGateway.AdminKey)).ShouldBe(HttpStatusCode.OK);
        (await StatusAsync(WrongKey)).ShouldBe(HttpStatusCode.Unauthorized);
        (await StatusAsync(TestGateway.AdminKey)).ShouldBe(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task RightKeys_NeverCounted_AndAMissingKeyIsNoGuess()
    {
        for (var i = 0; i < 30; i++)
        {
            (await StatusAsync(TestGateway.AdminKey)).ShouldBe(HttpStatusCode.OK);
            (await StatusAsync(null)).ShouldBe(HttpStatusCode.Unauthorized);
        }

        for (var i = 0; i < AdminKeyThrottle.MaxFailures - 1; i++)
        {
            (await StatusAsync(WrongKey)).ShouldBe(HttpStatusCode.Unauthorized);
        }

        (await StatusAsync(TestGateway.AdminKey)).ShouldBe(HttpStatusCode.OK);
        (await StatusAsync(WrongKey)).ShouldBe(HttpStatusCode.Unauthorized);
        (await StatusAsync(TestGateway.AdminKey)).ShouldBe(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task DashboardSignIn_SharesTheCount_AndIsThrottledToo()
    {
        for (var i = 0; i < AdminKeyThrottle.MaxFailures; i++)
        {
            using var refused = await _gateway.Client.PostAsJsonAsync("/dashboard/session", new { key = WrongKey });
            refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        (await StatusAsync(TestGateway.AdminKey)).ShouldBe(HttpStatusCode.TooManyRequests);
        using var signIn = await _gateway.Client.PostAsJsonAsync("/dashboard/session", new { key = TestGateway.AdminKey });
        signIn.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        signIn.Headers.Contains("retry-after").ShouldBeTrue();
        signIn.Headers.Contains("Set-Cookie").ShouldBeFalse();

        _time.Advance(AdminKeyThrottle.Window);
        using var later = await _gateway.Client.PostAsJsonAsync("/dashboard/session", new { key = TestGateway.AdminKey });
        later.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task WrongKeys_LoggedWithAddressAndPath_NeverTheKey()
    {
        for (var i = 0; i <= AdminKeyThrottle.MaxFailures; i++)
        {
            (await StatusAsync(WrongKey + i)).ShouldNotBe(HttpStatusCode.OK);
        }

        var lines = _gateway.Logs.GetSnapshot().Where(r => r.Category == typeof(AdminKeyThrottle).FullName).ToList();
        lines.Count(r => r.Level == LogLevel.Warning).ShouldBe(AdminKeyThrottle.MaxFailures);
        lines[0].Message.ShouldBe("Wrong admin key from 127.0.0.1 on /api/admin/rate-limit-status (1 of 10 allowed a minute)");
        lines[AdminKeyThrottle.MaxFailures - 1].Message.ShouldContain("answered 429 for up to 60 s");
        foreach (var record in _gateway.Logs.GetSnapshot())
        {
            record.Message.ShouldNotContain(WrongKey);
            (record.StructuredState ?? []).ShouldAllBe(p => p.Value == null || !p.Value.Contains(WrongKey, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("::1", "::1")]
    public void Client_IPv6CountedByItsNetwork(string address, string client) =>
        AdminKeyThrottle.Client(IPAddress.Parse(address)).ShouldBe(client);

    [Fact]
    public void Failed_OneAddressThrottled_OthersNot()
    {
        var throttle = new AdminKeyThrottle(_time, NullLogger<AdminKeyThrottle>.Instance);
        var guesser = IPAddress.Parse("2001:db8::1");
        for (var i = 0; i < AdminKeyThrottle.MaxFailures; i++)
        {
            throttle.Wait(guesser).ShouldBeNull();
            throttle.Failed(IPAddress.Parse($"2001:db8::{i + 1:x}"), "/api/admin/keys");
        }

        throttle.Wait(guesser).ShouldBe(AdminKeyThrottle.Window);
        throttle.Wait(IPAddress.Parse("2001:db8:0:1::1")).ShouldBeNull();
        throttle.Wait(IPAddress.Parse("192.0.2.1")).ShouldBeNull();
    }

    [Fact]
    public void Failed_ManyAddresses_MemoryBounded()
    {
        var throttle = new AdminKeyThrottle(_time, NullLogger<AdminKeyThrottle>.Instance);
        for (var i = 0; i < AdminKeyThrottle.MaxAddresses + 500; i++)
        {
            throttle.Failed(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)), "/api/admin/keys");
        }

        var kept = Enumerable.Range(0, AdminKeyThrottle.MaxAddresses + 500).Count(i => throttle.Wait(new IPAddress(BitConverter.GetBytes(0x0A000000 + i))) is null);
        kept.ShouldBe(AdminKeyThrottle.MaxAddresses + 500, "one failure each throttles nobody");
        throttle.Count.ShouldBeLessThanOrEqualTo(AdminKeyThrottle.MaxAddresses);
    }

    [Fact]
    public void Failed_RotatingAddresses_TableScannedOncePerThousandNewAddresses()
    {
        var throttle = new AdminKeyThrottle(_time, NullLogger<AdminKeyThrottle>.Instance);
        var blocked = IPAddress.Parse("192.0.2.7");
        for (var i = 0; i < AdminKeyThrottle.MaxFailures; i++)
        {
            throttle.Failed(blocked, "/api/admin/keys");
        }

        var addresses = 3 * AdminKeyThrottle.MaxAddresses;
        for (var i = 0; i < addresses; i++)
        {
            throttle.Failed(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)), "/api/admin/keys");
        }

        throttle.Count.ShouldBeLessThanOrEqualTo(AdminKeyThrottle.MaxAddresses);
        var perPrune = AdminKeyThrottle.MaxAddresses - AdminKeyThrottle.PrunedAddresses;
        throttle.Prunes.ShouldBeLessThanOrEqualTo(1 + ((addresses - AdminKeyThrottle.MaxAddresses) / perPrune) + 1, "a full table is pruned to a tenth below its bound, not one address at a time");
        throttle.Wait(blocked).ShouldNotBeNull("the address that failed most is kept while one-failure addresses are forgotten");
    }

    private async Task<HttpStatusCode> StatusAsync(string? key)
    {
        using var response = await SendAsync(key);
        return response.StatusCode;
    }

    private Task<HttpResponseMessage> SendAsync(string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/admin/rate-limit-status");
        if (key is not null)
        {
            request.Headers.Add("X-API-Key", key);
        }

        return _gateway.Client.SendAsync(request);
    }
}
