using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Pacer.Configuration;

namespace Pacer.Tests.Configuration;

public sealed class ExtendedRangesTests
{
    private const string Widen = "(set PACER_EXTENDED_RANGES=true to allow up to 100000)";

    private static IConfiguration Config(params (string Key, string? Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    [Fact]
    public void Bind_RequestsPerMinute5000WithoutExtendedRanges_RefusedNamingTheSetting()
    {
        var error = Should.Throw<PacerOptionsException>(() => PacerConfiguration.Bind(Config(("ANTHROPIC_RATE_LIMIT_PER_MINUTE", "5000"))));

        error.Errors.ShouldHaveSingleItem().ToString()
            .ShouldBe("ANTHROPIC_RATE_LIMIT_PER_MINUTE: '5000' is out of range; allowed 1-1000 " + Widen);
    }

    [Fact]
    public void Bind_ConcurrencyAboveSeedRangeWithoutExtendedRanges_RefusedNamingTheSetting()
    {
        var error = Should.Throw<PacerOptionsException>(() => PacerConfiguration.Bind(Config(("ANTHROPIC_CONCURRENT_REQUESTS", "200"))));

        error.Errors.ShouldHaveSingleItem().Reason
            .ShouldBe("is out of range; allowed 1-50 (set PACER_EXTENDED_RANGES=true to allow up to 10000)");
    }

    [Theory]
    [InlineData("PACER_EXTENDED_RANGES", "true")]
    [InlineData("PACER_EXTENDED_RANGES", " True ")]
    [InlineData("Pacer:ExtendedRanges", "true")]
    public void Bind_RequestsPerMinute5000WithExtendedRanges_Accepted(string key, string flag)
    {
        var options = PacerConfiguration.Bind(Config((key, flag), ("ANTHROPIC_RATE_LIMIT_PER_MINUTE", "5000"), ("ANTHROPIC_CONCURRENT_REQUESTS", "10000")));

        options.ExtendedRanges.ShouldBeTrue();
        options.MaxRequestsPerMinute.ShouldBe(5000);
        options.MaxConcurrentRequests.ShouldBe(10000);
    }

    [Fact]
    public void Bind_ExtendedRangesAtTheirTop_AcceptedAndOneMoreRefusedWithoutHint()
    {
        PacerConfiguration.Bind(Config(("PACER_EXTENDED_RANGES", "true"), ("ANTHROPIC_RATE_LIMIT_PER_MINUTE", "100000"))).MaxRequestsPerMinute.ShouldBe(100000);

        var error = Should.Throw<PacerOptionsException>(() => PacerConfiguration.Bind(Config(
            ("PACER_EXTENDED_RANGES", "true"), ("ANTHROPIC_RATE_LIMIT_PER_MINUTE", "100001"), ("ANTHROPIC_CONCURRENT_REQUESTS", "10001"))));

        error.Errors.Select(e => e.ToString()).ShouldBe(
        [
            "ANTHROPIC_RATE_LIMIT_PER_MINUTE: '100001' is out of range; allowed 1-100000",
            "ANTHROPIC_CONCURRENT_REQUESTS: '10001' is out of range; allowed 1-10000",
        ]);
    }

    [Fact]
    public void Bind_ExtendedRangesOff_OtherSettingsKeepTheSeedsRanges()
    {
        var options = PacerConfiguration.Bind(Config(("PACER_EXTENDED_RANGES", "false"), ("ANTHROPIC_RATE_LIMIT_PER_MINUTE", "1000"), ("ANTHROPIC_CONCURRENT_REQUESTS", "50")));

        options.ExtendedRanges.ShouldBeFalse();
        Should.Throw<PacerOptionsException>(() => PacerConfiguration.Bind(Config(("PACER_EXTENDED_RANGES", "true"), ("ANTHROPIC_MAX_RETRIES", "11"))))
            .Errors.ShouldHaveSingleItem().ToString().ShouldBe("ANTHROPIC_MAX_RETRIES: '11' is out of range; allowed 0-10");
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    [InlineData("")]
    [InlineData("treu")]
    public void Bind_ExtendedRangesNotTrueOrFalse_RefusedWithTheOtherErrors(string flag)
    {
        var error = Should.Throw<PacerOptionsException>(() => PacerConfiguration.Bind(Config(("PACER_EXTENDED_RANGES", flag), ("ANTHROPIC_RATE_LIMIT_PER_MINUTE", "5000"))));

        error.Errors.Select(e => e.ToString()).ShouldBe(
        [
            $"PACER_EXTENDED_RANGES: '{flag}' must be true or false",
            "ANTHROPIC_RATE_LIMIT_PER_MINUTE: '5000' is out of range; allowed 1-1000 " + Widen,
        ]);
        error.Message.ShouldNotContain("\n");
    }

    [Fact]
    public void Bind_BelowTheRange_NamesNoSetting()
    {
        Should.Throw<PacerOptionsException>(() => PacerConfiguration.Bind(Config(("ANTHROPIC_RATE_LIMIT_PER_MINUTE", "0"))))
            .Errors.ShouldHaveSingleItem().Reason.ShouldBe("is out of range; allowed 1-1000");
    }

    [Fact]
    public void ApplyTo_AdminUpdateAboveSeedRange_RefusedUnlessTheSnapshotHasExtendedRanges()
    {
        using var json = JsonDocument.Parse("""{"maxRequestsPerMinute":5000,"maxConcurrentRequests":200}""");
        var update = PacerOptionsUpdate.Parse(json.RootElement, out _);

        var seed = new PacerOptions();
        update.ApplyTo(seed, SettingNaming.Json, out var refused).ShouldBeSameAs(seed);
        refused.Select(e => e.ToString()).ShouldBe(
        [
            "maxRequestsPerMinute: '5000' is out of range; allowed 1-1000 " + Widen,
            "maxConcurrentRequests: '200' is out of range; allowed 1-50 (set PACER_EXTENDED_RANGES=true to allow up to 10000)",
        ]);

        var applied = update.ApplyTo(new PacerOptions { ExtendedRanges = true }, SettingNaming.Json, out var errors);
        errors.ShouldBeEmpty();
        applied.ShouldBe(new PacerOptions { ExtendedRanges = true, MaxRequestsPerMinute = 5000, MaxConcurrentRequests = 200 });
    }

    [Fact]
    public void Validate_ExtendedValuesWithoutExtendedRanges_NamesEveryFieldAndTheSetting()
    {
        var options = new PacerOptions { MaxRequestsPerMinute = 5000, MaxConcurrentRequests = 200 };

        PacerOptionsValidator.Validate(options).Select(e => e.Field).ShouldBe(["MaxRequestsPerMinute", "MaxConcurrentRequests"]);
        PacerOptionsValidator.Validate(options with { ExtendedRanges = true }).ShouldBeEmpty();
    }

    [Fact]
    public void DataAnnotations_FollowTheRangesInForce()
    {
        var results = new List<ValidationResult>();
        var seed = new PacerOptions { MaxRequestsPerMinute = 5000, MaxConcurrentRequests = 200 };

        Validator.TryValidateObject(seed, new ValidationContext(seed), results, validateAllProperties: true).ShouldBeFalse();
        results.Select(r => r.MemberNames.Single()).ShouldBe(["MaxRequestsPerMinute", "MaxConcurrentRequests"], ignoreOrder: true);
        results.ShouldAllBe(r => r.ErrorMessage!.Contains("PACER_EXTENDED_RANGES=true"));

        var extended = seed with { ExtendedRanges = true };
        results.Clear();
        Validator.TryValidateObject(extended, new ValidationContext(extended), results, validateAllProperties: true).ShouldBeTrue();

        var tooMany = extended with { MaxRequestsPerMinute = 100_001 };
        Validator.TryValidateObject(tooMany, new ValidationContext(tooMany), results, validateAllProperties: true).ShouldBeFalse();
        results.ShouldHaveSingleItem().ErrorMessage.ShouldBe("The field MaxRequestsPerMinute must be between 1 and 100000.");
    }

    [Fact]
    public void Settings_ExtendedRanges_WidenOnlyTheFirstTwo()
    {
        PacerSettings.All.Where(s => s.IsWidenedByExtendedRanges).Select(s => (s.JsonName, s.Maximum, s.ExtendedMaximum)).ShouldBe(
        [
            ("maxRequestsPerMinute", 1000d, 100000d),
            ("maxConcurrentRequests", 50d, 10000d),
        ]);
        PacerSettings.All[0].RangeTextUnder(extendedRanges: true).ShouldBe("1-100000");
        PacerSettings.All[0].RangeText.ShouldBe("1-1000");
    }

    [Fact]
    public void DataAnnotations_MatchTheSettingsTable()
    {
        foreach (var setting in PacerSettings.All)
        {
            var property = typeof(PacerOptions).GetProperty(setting.Name)!;
            if (property.GetCustomAttributes(typeof(RangeAttribute), inherit: false).SingleOrDefault() is not RangeAttribute range)
            {
                continue;
            }

            Convert.ToDouble(range.Minimum, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(setting.Minimum, setting.Name);
            Convert.ToDouble(range.Maximum, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(setting.Maximum, setting.Name);
            var extended = range is ExtendableRangeAttribute widened ? widened.ExtendedMaximum : range.Maximum;
            Convert.ToDouble(extended, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(setting.ExtendedMaximum, setting.Name);
        }
    }
}
