using Pacer.Simulator.Options;

namespace Pacer.Goodput.Tests;

/// <summary>The harness's options: each bad value is named with the option and the range allowed, before anything runs.</summary>
public sealed class CommandsTests
{
    [Theory]
    [InlineData("--mean-output-tokens", "lots", "--mean-output-tokens: 'lots' is not a number from 1 to 1000000.")]
    [InlineData("--mean-output-tokens", "-5", "--mean-output-tokens: '-5' is not a number from 1 to 1000000.")]
    [InlineData("--burst-seconds", "x", "--burst-seconds: 'x' is not a number from 0.001 to 60.")]
    [InlineData("--systems", "4,9", "--systems: '9' is not a number from 1 to 5.")]
    [InlineData("--max-tokens", "1.5", "--max-tokens: '1.5' is not a number from 1 to 1000000.")]
    [InlineData("--output-accounting", "sometimes", "--output-accounting: 'sometimes' is not actual or reserve")]
    public void GoodputSettingsFrom_BadValue_NamesTheOptionAndItsRange(string option, string value, string expected)
    {
        var error = Should.Throw<ArgumentException>(() => Commands.GoodputSettingsFrom(new Dictionary<string, string?> { [option] = value }, quick: true));

        error.Message.ShouldBe(expected);
    }

    [Fact]
    public void GoodputSettingsFrom_GoodValues_AreApplied()
    {
        var settings = Commands.GoodputSettingsFrom(
            new Dictionary<string, string?> { ["--mean-output-tokens"] = "120", ["--burst-seconds"] = "2.5", ["--systems"] = "4,5", ["--output-accounting"] = "reserve" },
            quick: true);

        settings.MeanOutputTokens.ShouldBe(120);
        settings.Limits.BurstSeconds.ShouldBe(2.5);
        settings.Systems.Order().ShouldBe([4, 5]);
        settings.OutputAccounting.ShouldBe(OutputAccounting.Reserve);
    }

    [Theory]
    [InlineData("--concurrency", "0", "--concurrency: '0' is not a number from 1 to 1000.")]
    [InlineData("--concurrency", "ten", "--concurrency: 'ten' is not a number from 1 to 1000.")]
    [InlineData("--lease-seconds", "1", "--lease-seconds: '1' is not a number from 2 to 300.")]
    [InlineData("--lease-seconds", "2.5", "--lease-seconds: '2.5' is not a number from 2 to 300.")]
    public void ScaleOutSettingsFrom_BadValue_NamesTheOptionAndItsRange(string option, string value, string expected)
    {
        var error = Should.Throw<ArgumentException>(() => Commands.ScaleOutSettingsFrom(new Dictionary<string, string?> { [option] = value }, quick: false));

        error.Message.ShouldBe(expected);
    }

    [Fact]
    public void ScaleOutSettingsFrom_GoodValues_AreApplied()
    {
        var settings = Commands.ScaleOutSettingsFrom(new Dictionary<string, string?> { ["--concurrency"] = "4", ["--lease-seconds"] = "5" }, quick: false);

        settings.Concurrency.ShouldBe(4);
        settings.LeaseSeconds.ShouldBe(5);
        settings.Lease.ShouldBe(TimeSpan.FromSeconds(5));
        settings.Goodput.Workload.Requests.ShouldBe(500);
    }

    [Fact]
    public void ScaleOutSettingsFrom_NoOptions_KeepsTheGatewayDefaultLease()
    {
        var full = Commands.ScaleOutSettingsFrom([], quick: false);
        var quick = Commands.ScaleOutSettingsFrom([], quick: true);

        full.Concurrency.ShouldBe(10);
        full.LeaseSeconds.ShouldBeNull();
        full.Lease.ShouldBe(TimeSpan.FromSeconds(10));
        quick.LeaseSeconds.ShouldBe(3);
        quick.Goodput.Workload.Requests.ShouldBe(120);
    }

    [Fact]
    public async Task RunAsync_BadScaleOutOption_Exits2BeforeRunningAnything()
    {
        var code = await Commands.RunAsync(["scale-out", "--lease-seconds", "1"]).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        code.ShouldBe(2);
    }

    [Fact]
    public async Task RunAsync_BadOption_Exits2BeforeRunningAnything()
    {
        var code = await Commands.RunAsync(["goodput", "--mean-output-tokens", "lots"]).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        code.ShouldBe(2);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("21")]
    [InlineData("twice")]
    public async Task RunAsync_BadRepeat_Exits2BeforeRunningAnything(string repeat)
    {
        var code = await Commands.RunAsync(["goodput-shapes", "--shapes", "tiny-output", "--repeat", repeat]).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        code.ShouldBe(2);
    }
}
