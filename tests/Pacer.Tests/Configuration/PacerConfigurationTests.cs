using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Pacer.Configuration;

namespace Pacer.Tests.Configuration;

public sealed class PacerConfigurationTests
{
    private static IConfiguration Config(params (string Key, string? Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    [Fact]
    public void Bind_NothingSet_UsesSeedDefaults()
    {
        var options = PacerConfiguration.Bind(Config());

        options.MaxRequestsPerMinute.ShouldBe(50);
        options.MaxConcurrentRequests.ShouldBe(5);
        options.MaxRetries.ShouldBe(3);
        options.BaseDelay.ShouldBe(1000);
        options.MaxDelay.ShouldBe(30000);
        options.BackoffFactor.ShouldBe(2);
    }

    [Fact]
    public void Bind_SeedEnvironmentVariables_SetEverySetting()
    {
        var options = PacerConfiguration.Bind(Config(
            ("ANTHROPIC_RATE_LIMIT_PER_MINUTE", "100"),
            ("ANTHROPIC_CONCURRENT_REQUESTS", "10"),
            ("ANTHROPIC_MAX_RETRIES", "5"),
            ("ANTHROPIC_BASE_DELAY", "500"),
            ("ANTHROPIC_MAX_DELAY", "60000"),
            ("ANTHROPIC_BACKOFF_FACTOR", "1.5")));

        options.ShouldBe(new PacerOptions
        {
            MaxRequestsPerMinute = 100,
            MaxConcurrentRequests = 10,
            MaxRetries = 5,
            BaseDelay = 500,
            MaxDelay = 60000,
            BackoffFactor = 1.5,
        });
    }

    [Fact]
    public void Bind_EnvironmentVariableAndSection_EnvironmentWins()
    {
        var options = PacerConfiguration.Bind(Config(("Pacer:MaxRetries", "7"), ("ANTHROPIC_MAX_RETRIES", "2"), ("Pacer:Burst", "4")));

        options.MaxRetries.ShouldBe(2);
        options.Burst.ShouldBe(4);
    }

    [Fact]
    public void Bind_SeveralInvalidValues_ReportsEveryOneWithRange()
    {
        var error = Should.Throw<PacerOptionsException>(() => PacerConfiguration.Bind(Config(
            ("ANTHROPIC_RATE_LIMIT_PER_MINUTE", "5000"),
            ("ANTHROPIC_CONCURRENT_REQUESTS", "abc"),
            ("ANTHROPIC_MAX_RETRIES", "2.5"),
            ("PACER_LEARN_LIMITS", "maybe"))));

        error.Errors.Count.ShouldBe(4);
        error.Message.ShouldContain("ANTHROPIC_RATE_LIMIT_PER_MINUTE: '5000' is out of range; allowed 1-1000");
        error.Message.ShouldContain("ANTHROPIC_CONCURRENT_REQUESTS: 'abc' is not a number; allowed 1-50");
        error.Message.ShouldContain("ANTHROPIC_MAX_RETRIES: '2.5' must be a whole number in 0-10");
        error.Message.ShouldContain("PACER_LEARN_LIMITS: 'maybe' is not a boolean");
    }

    [Theory]
    [InlineData("estimate", OutputReservation.Estimate)]
    [InlineData("MAX_TOKENS", OutputReservation.MaxTokens)]
    [InlineData("1", OutputReservation.Estimate)]
    [InlineData("0", OutputReservation.MaxTokens)]
    [InlineData("auto", OutputReservation.Auto)]
    [InlineData("Auto", OutputReservation.Auto)]
    [InlineData("2", OutputReservation.Auto)]
    public void Bind_OutputReservation_ReadsNameOrNumber(string text, OutputReservation expected)
    {
        PacerConfiguration.Bind(Config(("PACER_OUTPUT_RESERVATION", text))).OutputReservation.ShouldBe(expected);
    }

    [Fact]
    public void Bind_NothingSet_OutputReservationIsAutoAndTokenBurstAWholeMinute()
    {
        var options = PacerConfiguration.Bind(Config());

        options.OutputReservation.ShouldBe(OutputReservation.Auto);
        options.TokenBurstSeconds.ShouldBe(60);
    }

    [Theory]
    [InlineData("51")]
    [InlineData("-1")]
    [InlineData("ten")]
    public void Bind_BatchMinShareOutOfRange_NamesTheSettingAndItsRange(string text)
    {
        var error = Should.Throw<PacerOptionsException>(() => PacerConfiguration.Bind(Config(("PACER_BATCH_MIN_SHARE", text))));

        error.Message.ShouldContain($"PACER_BATCH_MIN_SHARE: '{text}'");
        error.Message.ShouldContain("0-50");
    }

    [Fact]
    public void Bind_OutputReservationThree_IsOutOfRange()
    {
        var error = Should.Throw<PacerOptionsException>(() => PacerConfiguration.Bind(Config(("PACER_OUTPUT_RESERVATION", "3"))));

        error.Message.ShouldContain("PACER_OUTPUT_RESERVATION: '3' is out of range; allowed 0-2 (0 max_tokens, 1 estimate, 2 auto)");
    }

    [Theory]
    [InlineData("PACER_TOKEN_BURST_SECONDS", "5", 5)]
    [InlineData("PACER_TOKEN_BURST_SECONDS", "1", 1)]
    [InlineData("PACER_TOKEN_BURST_SECONDS", "60", 60)]
    [InlineData("Pacer:TokenBurstSeconds", "12", 12)]
    public void Bind_TokenBurstSeconds_ReadsEnvironmentOrSection(string key, string text, int expected)
    {
        PacerConfiguration.Bind(Config((key, text))).TokenBurstSeconds.ShouldBe(expected);
    }

    [Theory]
    [InlineData("0", "'0' is out of range; allowed 1-60 s")]
    [InlineData("61", "'61' is out of range; allowed 1-60 s")]
    [InlineData("2.5", "'2.5' must be a whole number in 1-60 s")]
    [InlineData("soon", "'soon' is not a number; allowed 1-60 s")]
    public void Bind_TokenBurstSecondsInvalid_ReportsValueAndRange(string text, string reason)
    {
        var error = Should.Throw<PacerOptionsException>(() => PacerConfiguration.Bind(Config(("PACER_TOKEN_BURST_SECONDS", text))));

        error.Errors.ShouldHaveSingleItem().Field.ShouldBe("PACER_TOKEN_BURST_SECONDS");
        error.Message.ShouldContain("PACER_TOKEN_BURST_SECONDS: " + reason);
    }

    [Fact]
    public void Validate_TokenBurstSecondsOutOfRange_NamedInEveryNaming()
    {
        var options = new PacerOptions { TokenBurstSeconds = 90 };

        PacerOptionsValidator.Validate(options).ShouldHaveSingleItem().Field.ShouldBe("TokenBurstSeconds");
        PacerOptionsValidator.Validate(options, SettingNaming.Json).ShouldHaveSingleItem().Field.ShouldBe("tokenBurstSeconds");
    }

    [Fact]
    public void Parse_AdminUpdate_AcceptsAutoAndTokenBurstSeconds()
    {
        using var json = JsonDocument.Parse("""{"outputReservation":"auto","tokenBurstSeconds":5}""");
        var update = PacerOptionsUpdate.Parse(json.RootElement, out var errors);

        errors.ShouldBeEmpty();
        var applied = update.ApplyTo(new PacerOptions { OutputReservation = OutputReservation.MaxTokens }, SettingNaming.Json, out var invalid);
        invalid.ShouldBeEmpty();
        applied.OutputReservation.ShouldBe(OutputReservation.Auto);
        applied.TokenBurstSeconds.ShouldBe(5);
    }

    [Fact]
    public void ApplyTo_AdminUpdateTokenBurstSecondsTooLarge_NamesFieldAndRange()
    {
        using var json = JsonDocument.Parse("""{"tokenBurstSeconds":61}""");
        var update = PacerOptionsUpdate.Parse(json.RootElement, out _);

        update.ApplyTo(new PacerOptions(), SettingNaming.Json, out var errors);

        var error = errors.ShouldHaveSingleItem();
        error.Field.ShouldBe("tokenBurstSeconds");
        error.Reason.ShouldBe("is out of range; allowed 1-60 s");
    }

    [Fact]
    public void Bind_OutputReservationUnknownName_ReportedWithTheOtherErrors()
    {
        var error = Should.Throw<PacerOptionsException>(() => PacerConfiguration.Bind(Config(
            ("PACER_OUTPUT_RESERVATION", "guess"),
            ("ANTHROPIC_MAX_RETRIES", "99"))));

        error.Errors.Count.ShouldBe(2);
        error.Message.ShouldContain("PACER_OUTPUT_RESERVATION: 'guess' is not a mode (max_tokens, estimate or auto)");
    }

    [Theory]
    [InlineData("ANTHROPIC_RATE_LIMIT_PER_MINUTE", "0")]
    [InlineData("ANTHROPIC_RATE_LIMIT_PER_MINUTE", "1001")]
    [InlineData("ANTHROPIC_CONCURRENT_REQUESTS", "51")]
    [InlineData("ANTHROPIC_MAX_RETRIES", "-1")]
    [InlineData("ANTHROPIC_MAX_RETRIES", "11")]
    [InlineData("ANTHROPIC_BASE_DELAY", "99")]
    [InlineData("ANTHROPIC_BASE_DELAY", "10001")]
    [InlineData("ANTHROPIC_MAX_DELAY", "999")]
    [InlineData("ANTHROPIC_MAX_DELAY", "120001")]
    [InlineData("ANTHROPIC_BACKOFF_FACTOR", "0.99")]
    [InlineData("ANTHROPIC_BACKOFF_FACTOR", "5.01")]
    [InlineData("ANTHROPIC_BACKOFF_FACTOR", "NaN")]
    public void Bind_JustOutsideSeedRange_IsRejected(string variable, string value)
    {
        Should.Throw<PacerOptionsException>(() => PacerConfiguration.Bind(Config((variable, value))))
            .Errors.ShouldHaveSingleItem().Field.ShouldBe(variable);
    }

    [Theory]
    [InlineData("ANTHROPIC_RATE_LIMIT_PER_MINUTE", "1")]
    [InlineData("ANTHROPIC_RATE_LIMIT_PER_MINUTE", "1000")]
    [InlineData("ANTHROPIC_CONCURRENT_REQUESTS", "50")]
    [InlineData("ANTHROPIC_MAX_RETRIES", "0")]
    [InlineData("ANTHROPIC_MAX_RETRIES", "10")]
    [InlineData("ANTHROPIC_BASE_DELAY", "100")]
    [InlineData("ANTHROPIC_BASE_DELAY", "10000")]
    [InlineData("ANTHROPIC_MAX_DELAY", "1000")]
    [InlineData("ANTHROPIC_MAX_DELAY", "120000")]
    [InlineData("ANTHROPIC_BACKOFF_FACTOR", "1")]
    [InlineData("ANTHROPIC_BACKOFF_FACTOR", "5")]
    public void Bind_SeedRangeEdges_AreAccepted(string variable, string value)
    {
        PacerConfiguration.Bind(Config((variable, value)), out var errors);

        errors.ShouldBeEmpty();
    }

    [Fact]
    public void DotEnv_SeedFileWithInlineComments_IsRead()
    {
        var folder = Directory.CreateTempSubdirectory("pacer-env-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, ".env"), """
                # Rate limiting configuration
                ANTHROPIC_RATE_LIMIT_PER_MINUTE=100      # Max requests per minute
                ANTHROPIC_CONCURRENT_REQUESTS=10	# Max concurrent requests
                export ANTHROPIC_MAX_RETRIES="4"
                ANTHROPIC_BACKOFF_FACTOR='3'
                """);
            var configuration = new ConfigurationBuilder().AddDotEnvFile(Path.Combine(folder.FullName, ".env")).Build();

            var options = PacerConfiguration.Bind(configuration);

            options.MaxRequestsPerMinute.ShouldBe(100);
            options.MaxConcurrentRequests.ShouldBe(10);
            options.MaxRetries.ShouldBe(4);
            options.BackoffFactor.ShouldBe(3);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void DotEnv_LineWithoutEquals_FailsNamingFileAndLine()
    {
        var error = Should.Throw<FormatException>(() => DotEnvParser.Parse(["A=1", "garbage"], "x/.env"));

        error.Message.ShouldContain("x/.env:2");
    }

    [Fact]
    public void Update_PartialValid_ChangesOnlyGivenFields()
    {
        using var json = JsonDocument.Parse("""{"maxRequestsPerMinute":100,"maxConcurrentRequests":10,"maxRetries":5}""");
        var update = PacerOptionsUpdate.Parse(json.RootElement, out var parseErrors);

        var result = update.ApplyTo(new PacerOptions(), SettingNaming.Json, out var errors);

        parseErrors.ShouldBeEmpty();
        errors.ShouldBeEmpty();
        result.ShouldBe(new PacerOptions { MaxRequestsPerMinute = 100, MaxConcurrentRequests = 10, MaxRetries = 5 });
    }

    [Fact]
    public void Update_OneFieldInvalid_ChangesNothingAndNamesEveryBadField()
    {
        using var json = JsonDocument.Parse("""{"maxRequestsPerMinute":100,"maxConcurrentRequests":0,"backoffFactor":9}""");
        var current = new PacerOptions();

        var result = PacerOptionsUpdate.Parse(json.RootElement, out _).ApplyTo(current, SettingNaming.Json, out var errors);

        result.ShouldBeSameAs(current);
        errors.Select(e => e.ToString()).ShouldBe(
            ["maxConcurrentRequests: '0' is out of range; allowed 1-50", "backoffFactor: '9' is out of range; allowed 1-5"],
            ignoreOrder: true);
    }

    [Fact]
    public void Update_UnknownFieldAndString_AreReported()
    {
        using var json = JsonDocument.Parse("""{"maxRequestPerMinute":100,"maxRetries":"5"}""");

        PacerOptionsUpdate.Parse(json.RootElement, out var errors);

        errors.Select(e => e.Field).ShouldBe(["maxRequestPerMinute", "maxRetries"]);
    }

    [Fact]
    public void Validator_DefaultOptions_AreValid() =>
        PacerOptionsValidator.Validate(new PacerOptions()).ShouldBeEmpty();

    [Fact]
    public void Settings_SeedSix_KeepSeedNames()
    {
        PacerSettings.All.Take(6).Select(s => (s.JsonName, s.EnvironmentVariable)).ShouldBe(
        [
            ("maxRequestsPerMinute", "ANTHROPIC_RATE_LIMIT_PER_MINUTE"),
            ("maxConcurrentRequests", "ANTHROPIC_CONCURRENT_REQUESTS"),
            ("maxRetries", "ANTHROPIC_MAX_RETRIES"),
            ("baseDelay", "ANTHROPIC_BASE_DELAY"),
            ("maxDelay", "ANTHROPIC_MAX_DELAY"),
            ("backoffFactor", "ANTHROPIC_BACKOFF_FACTOR"),
        ]);
    }
}
