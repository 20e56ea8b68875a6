using Microsoft.Extensions.Configuration;
using Pacer.Configuration;
using Pacer.Gateway.Hosting;

namespace Pacer.Gateway.Tests.Hosting;

public sealed class GatewayConfigurationTests
{
    internal static IConfiguration Config(params (string Key, string? Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    [Fact]
    public void Bind_NothingSet_ListensOnLoopback8080WithSimulatorAndPassthrough()
    {
        var options = GatewayConfiguration.Bind(Config(), out var errors);

        errors.ShouldBeEmpty();
        options.Urls.ShouldBe("http://127.0.0.1:8080");
        options.UseSimulator.ShouldBeTrue();
        options.AuthMode.ShouldBe(AuthMode.Passthrough);
        options.AdminApiKey.ShouldBeNull();
        options.DatabasePath.ShouldBe("pacer.db");
        options.MaxRequestBodyBytes.ShouldBe(32L * 1024 * 1024);
        options.InlineIo.ShouldBeTrue();
    }

    [Fact]
    public void Bind_EnvironmentVariables_SetEveryField()
    {
        var options = GatewayConfiguration.Bind(Config(
            ("PACER_GATEWAY_URLS", "http://127.0.0.1:9090"),
            ("ANTHROPIC_BASE_URL", "https://example.test/prefix"),
            ("ANTHROPIC_API_KEY", "sk-ant-upstream"),
            ("PACER_ADMIN_API_KEY", "0123456789abcdef"),
            ("PACER_AUTH_MODE", "Managed"),
            ("PACER_DB_PATH", "/tmp/x.db"),
            ("PACER_MAX_BODY_BYTES", "2048"),
            ("PACER_STREAM_IDLE_TIMEOUT", "1500"),
            ("PACER_SHUTDOWN_TIMEOUT", "0"),
            ("PACER_TRUST_USER_HEADER", "true"),
            ("PACER_INLINE_IO", "false")), out var errors);

        errors.ShouldBeEmpty();
        options.ShouldBe(new GatewayOptions
        {
            Urls = "http://127.0.0.1:9090",
            UpstreamBaseUrl = new Uri("https://example.test/prefix"),
            UpstreamApiKey = "sk-ant-upstream",
            AdminApiKey = "0123456789abcdef",
            AuthMode = AuthMode.Managed,
            DatabasePath = "/tmp/x.db",
            MaxRequestBodyBytes = 2048,
            StreamIdleTimeout = TimeSpan.FromMilliseconds(1500),
            ShutdownTimeout = TimeSpan.Zero,
            TrustUserHeader = true,
            InlineIo = false,
        });
        options.UseSimulator.ShouldBeFalse();
    }

    [Fact]
    public void Bind_SectionAndEnvironment_EnvironmentWins()
    {
        var options = GatewayConfiguration.Bind(Config(("Gateway:DatabasePath", "a.db"), ("PACER_DB_PATH", "b.db"), ("Gateway:MaxRequestBodyBytes", "4096")), out _);

        options.DatabasePath.ShouldBe("b.db");
        options.MaxRequestBodyBytes.ShouldBe(4096);
    }

    [Fact]
    public void Bind_SeveralInvalidValues_ReportsEveryOneWithWhatIsAllowed()
    {
        GatewayConfiguration.Bind(Config(
            ("ANTHROPIC_BASE_URL", "api.anthropic.com"),
            ("PACER_AUTH_MODE", "open"),
            ("PACER_MAX_BODY_BYTES", "12"),
            ("PACER_STREAM_IDLE_TIMEOUT", "soon"),
            ("PACER_TRUST_USER_HEADER", "yes"),
            ("PACER_INLINE_IO", "1")), out var errors);

        errors.Select(e => e.Field).ShouldBe(["ANTHROPIC_BASE_URL", "PACER_AUTH_MODE", "PACER_MAX_BODY_BYTES", "PACER_STREAM_IDLE_TIMEOUT", "PACER_TRUST_USER_HEADER", "PACER_INLINE_IO"]);
        errors[1].Reason.ShouldBe("must be passthrough or managed");
        errors[2].Reason.ShouldBe("is out of range; allowed 1024-1073741824");
        errors[3].Reason.ShouldBe("is not a whole number; allowed 100-3600000 ms");
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("False", false)]
    [InlineData(" TRUE ", true)]
    public void Bind_InlineIo_ReadFromEnvironmentVariable(string value, bool expected)
    {
        var options = GatewayConfiguration.Bind(Config(("PACER_INLINE_IO", value)), out var errors);

        errors.ShouldBeEmpty();
        options.InlineIo.ShouldBe(expected);
    }

    [Fact]
    public void Bind_InlineIoInSectionAndEnvironment_EnvironmentWins()
    {
        GatewayConfiguration.Bind(Config(("Gateway:InlineIo", "true"), ("PACER_INLINE_IO", "false")), out _).InlineIo.ShouldBeFalse();
        GatewayConfiguration.Bind(Config(("Gateway:InlineIo", "false")), out _).InlineIo.ShouldBeFalse();
    }

    [Fact]
    public void Bind_InlineIoNotABoolean_ReportsTheValueAndWhatIsAllowed()
    {
        GatewayConfiguration.Bind(Config(("PACER_INLINE_IO", "on")), out var errors);

        var error = errors.ShouldHaveSingleItem();
        error.Field.ShouldBe("PACER_INLINE_IO");
        error.Value.ShouldBe("on");
        error.Reason.ShouldBe("must be true or false");
    }

    [Fact]
    public void DefaultInlineIo_IsTheDocumentedDefault()
    {
        GatewayOptions.DefaultInlineIo.ShouldBeTrue();
        new GatewayOptions().InlineIo.ShouldBeTrue();
    }

    [Fact]
    public void Bind_ShortAdminKey_RefusedWithoutEchoingIt()
    {
        GatewayConfiguration.Bind(Config(("PACER_ADMIN_API_KEY", "hunter2")), out var errors);

        var error = errors.ShouldHaveSingleItem();
        error.Field.ShouldBe("PACER_ADMIN_API_KEY");
        error.ToString().ShouldNotContain("hunter2");
        error.Reason.ShouldContain("at least 16 characters");
    }

    [Fact]
    public void Bind_ManagedWithBaseUrlButNoKey_RequiresTheUpstreamKey()
    {
        GatewayConfiguration.Bind(Config(("PACER_AUTH_MODE", "managed"), ("ANTHROPIC_BASE_URL", "https://api.anthropic.com")), out var errors);

        errors.ShouldHaveSingleItem().Field.ShouldBe("ANTHROPIC_API_KEY");
    }

    [Fact]
    public void Read_EngineAndGatewayErrors_OneExceptionNamesThemAll()
    {
        var error = Should.Throw<PacerOptionsException>(() => StartupSettings.Read(Config(("ANTHROPIC_MAX_RETRIES", "11"), ("PACER_AUTH_MODE", "x"))));

        error.Errors.Select(e => e.Field).ShouldBe(["ANTHROPIC_MAX_RETRIES", "PACER_AUTH_MODE"]);
        error.Message.ShouldContain("allowed 0-10");
    }

    [Fact]
    public void Read_UpstreamIsTheGatewayItself_RefusesTheLoop()
    {
        var error = Should.Throw<PacerOptionsException>(() => StartupSettings.Read(Config(("ANTHROPIC_BASE_URL", "http://localhost:8080"))));

        error.Errors.ShouldHaveSingleItem().Reason.ShouldContain("points at the gateway itself");
    }

    [Fact]
    public void Read_UpstreamOnAnotherLoopbackPort_Accepted()
    {
        var (_, gateway) = StartupSettings.Read(Config(("ANTHROPIC_BASE_URL", "http://127.0.0.1:9999")));

        gateway.UpstreamBaseUrl.ShouldBe(new Uri("http://127.0.0.1:9999"));
    }

    [Fact]
    public void Read_RedisSettingsInvalid_OneExceptionNamesEachWithoutThePassword()
    {
        var error = Should.Throw<PacerOptionsException>(() => StartupSettings.Read(Config(
            ("PACER_REDIS_URL", "http://:hunter2-secret@cache:6379"),
            ("PACER_REDIS_PREFIX", "bad prefix!"),
            ("PACER_REDIS_LEASE_SECONDS", "1"),
            ("PACER_REDIS_FAILURE", "maybe")), out _, out _));

        error.Errors.Select(e => e.Field).ShouldBe(["PACER_REDIS_URL", "PACER_REDIS_PREFIX", "PACER_REDIS_LEASE_SECONDS", "PACER_REDIS_FAILURE"]);
        error.Message.ShouldNotContain("hunter2");
        error.Message.ShouldContain("from 2 to 300");
        error.Message.ShouldContain("share");
    }

    [Fact]
    public void Read_RedisSettingsValid_GivesTheSharedStoresOptions()
    {
        StartupSettings.Read(Config(("PACER_REDIS_URL", "redis://cache:6379/1"), ("PACER_REDIS_PREFIX", "prod"), ("PACER_REDIS_FAILURE", "closed")), out var redis, out var degraded);

        redis.ShouldNotBeNull().Prefix.ShouldBe("prod");
        redis.FailurePolicy.ShouldBe(Pacer.Redis.RedisFailurePolicy.FailClosed);
        degraded.ShouldBeFalse();
    }

    [Fact]
    public void Read_NoRedisUrl_LimitsStayInMemory()
    {
        StartupSettings.Read(Config(("PACER_REDIS_PREFIX", "prod")), out var redis, out _);

        redis.ShouldBeNull();
    }
}
