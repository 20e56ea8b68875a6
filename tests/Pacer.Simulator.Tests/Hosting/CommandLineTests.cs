using Pacer.Simulator.Hosting;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Tests.Hosting;

public sealed class CommandLineTests
{
    [Fact]
    public void Parse_TheIssuesExample_SetsPortAndLimits()
    {
        var (values, files, help) = CommandLine.Parse(["--port", "4000", "--rpm", "50", "--itpm", "30000", "--otpm=8000"]);

        help.ShouldBeFalse();
        files.ShouldBeEmpty();
        values["Simulator:Port"].ShouldBe("4000");
        values["Simulator:Limits:RequestsPerMinute"].ShouldBe("50");
        values["Simulator:Limits:InputTokensPerMinute"].ShouldBe("30000");
        values["Simulator:Limits:OutputTokensPerMinute"].ShouldBe("8000");
    }

    [Fact]
    public void Parse_SwitchesAndRepeatedKeys_BecomeConfigurationValues()
    {
        var (values, files, _) = CommandLine.Parse(["--zero-latency", "--acceleration", "--api-key", "a", "--api-key", "b", "--config", "sim.json"]);

        values["Simulator:Latency:Enabled"].ShouldBe("false");
        values["Simulator:Acceleration:Enabled"].ShouldBe("true");
        values["Simulator:ApiKeys:0"].ShouldBe("a");
        values["Simulator:ApiKeys:1"].ShouldBe("b");
        files.ShouldBe(["sim.json"]);
    }

    [Fact]
    public void Parse_UnknownFlag_SaysSoAndPointsToHelp() =>
        Should.Throw<FormatException>(() => CommandLine.Parse(["--rmp", "5"])).Message.ShouldBe("Unknown option '--rmp'. Run with --help to see every option.");

    [Fact]
    public void Parse_FlagWithoutValue_SaysWhatItNeeds() =>
        Should.Throw<FormatException>(() => CommandLine.Parse(["--rpm"])).Message.ShouldStartWith("Option '--rpm' needs a value");

    [Fact]
    public void Help_ListsEveryFlag()
    {
        var help = CommandLine.Help();

        foreach (var flag in CommandLine.Flags.Keys)
        {
            help.ShouldContain(flag);
        }
    }

    [Fact]
    public void Bind_FlagsOverEnvironmentOverDefaults_LaterWins()
    {
        Environment.SetEnvironmentVariable("Simulator__Limits__InputTokensPerMinute", "12345");
        Environment.SetEnvironmentVariable("Simulator__Limits__RequestsPerMinute", "7");
        try
        {
            var (values, files, _) = CommandLine.Parse(["--rpm", "9", "--output-accounting", "actual", "--fault-rates", "529=0.1,reset=0.05"]);

            var options = Program.Bind(values, files);

            options.Port.ShouldBe(4000);
            options.Limits.RequestsPerMinute.ShouldBe(9);
            options.Limits.InputTokensPerMinute.ShouldBe(12345);
            options.Limits.OutputTokensPerMinute.ShouldBe(8000);
            options.Limits.OutputAccounting.ShouldBe(OutputAccounting.Actual);
            options.Faults.Rates.ShouldBe("529=0.1,reset=0.05");
        }
        finally
        {
            Environment.SetEnvironmentVariable("Simulator__Limits__InputTokensPerMinute", null);
            Environment.SetEnvironmentVariable("Simulator__Limits__RequestsPerMinute", null);
        }
    }

    [Fact]
    public void Bind_ConfigFile_ReadsPoolsAndModels()
    {
        var file = Path.Combine(Path.GetTempPath(), $"simulator-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """
            {"Simulator":{"Limits":{"Pools":[{"Name":"opus-4","RequestsPerMinute":4000}]},
             "Models":[{"Id":"claude-test-1","Pool":"test","MaxOutputTokens":1000}]}}
            """);
        try
        {
            var options = Program.Bind([], [file]);

            options.Limits.Pools.ShouldHaveSingleItem().RequestsPerMinute.ShouldBe(4000);
            options.Models.ShouldHaveSingleItem().Id.ShouldBe("claude-test-1");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Bind_NotANumber_ThrowsNamingTheKey() =>
        Should.Throw<InvalidOperationException>(() => Program.Bind(new() { ["Simulator:Limits:RequestsPerMinute"] = "lots" }, []))
            .Message.ShouldContain("Simulator:Limits:RequestsPerMinute");
}
