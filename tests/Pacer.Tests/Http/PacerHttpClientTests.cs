using Pacer.Configuration;
using Pacer.Http;

namespace Pacer.Tests.Http;

/// <summary>What a user of the package gets from <see cref="PacerHttpClient.Create(PacerOptions, TimeProvider?, Microsoft.Extensions.Logging.ILoggerFactory?, HttpMessageHandler?, IEnumerable{IRequestObserver}?)"/> for bad settings.</summary>
public sealed class PacerHttpClientTests
{
    private static PacerOptions TwoInvalid() => new() { MaxRequestsPerMinute = 5000, MaxRetries = 11 };

    [Fact]
    public void Create_InvalidOptions_ThrowsOneLineNamingEveryFieldItsValueAndRange()
    {
        var thrown = Should.Throw<PacerOptionsException>(() => PacerHttpClient.Create(TwoInvalid()));

        thrown.Message.ShouldBe("Invalid Pacer settings (2): MaxRequestsPerMinute: '5000' is out of range; allowed 1-1000 (set PACER_EXTENDED_RANGES=true to allow up to 100000); MaxRetries: '11' is out of range; allowed 0-10");
        thrown.Errors.Select(e => e.Field).ShouldBe(["MaxRequestsPerMinute", "MaxRetries"]);
    }

    [Fact]
    public void Create_InvalidOptions_SameReasonsAsTheGatewaysEnvironmentMessage()
    {
        var thrown = Should.Throw<PacerOptionsException>(() => PacerHttpClient.Create(TwoInvalid()));
        var gateway = new PacerOptionsException(PacerOptionsValidator.Validate(TwoInvalid(), SettingNaming.Environment));

        thrown.Errors.Select(e => (e.Value, e.Reason)).ShouldBe(gateway.Errors.Select(e => (e.Value, e.Reason)));
        gateway.Message.ShouldBe("Invalid Pacer settings (2): ANTHROPIC_RATE_LIMIT_PER_MINUTE: '5000' is out of range; allowed 1-1000 (set PACER_EXTENDED_RANGES=true to allow up to 100000); ANTHROPIC_MAX_RETRIES: '11' is out of range; allowed 0-10");
    }
}
