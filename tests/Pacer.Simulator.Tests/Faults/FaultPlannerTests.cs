using Pacer.Simulator.Control;
using Pacer.Simulator.Faults;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Tests.Faults;

public sealed class FaultPlannerTests
{
    private static FaultPlanner Planner(string rates = "") => new(new FaultOptions { Rates = rates }, new SimulatorRandom(3));

    [Fact]
    public void Next_QueuedSteps_ComeFirstAndAreUsedOnce()
    {
        var planner = Planner();
        planner.Enqueue(FaultScript.Parse("429:2,ok", new FaultOptions()), null);

        planner.Next("k", "500", null).ShouldBe((FaultScript.ParseStep("429:2", new FaultOptions()), "queue"));
        planner.Next("k", "500", null).Step.Kind.ShouldBe(FaultKind.None);
        planner.Next("k", "500", null).ShouldBe((FaultScript.ParseStep("500", new FaultOptions()), "header"));
        planner.Pending.ShouldBe(0);
    }

    [Fact]
    public void Next_QueuedForOneKey_LeavesOtherKeysAlone()
    {
        var planner = Planner();
        planner.Enqueue(FaultScript.Parse("529", new FaultOptions()), "key_a");

        planner.Next("key_b", null, null).Source.ShouldBe("none");
        planner.Next("key_a", null, null).Step.Status.ShouldBe(529);
    }

    [Fact]
    public void Next_HeaderScript_WalksStepsAcrossRequestsAndStartsOver()
    {
        var planner = Planner();

        var statuses = Enumerable.Range(0, 5).Select(_ => planner.Next("k", "529, 500, ok", null).Step.Status).ToList();

        statuses.ShouldBe([529, 500, 0, 529, 500]);
        planner.Next("other", "529, 500, ok", null).Step.Status.ShouldBe(529); // each key walks its own
    }

    [Fact]
    public void Next_HeaderAndModelSuffix_HeaderWins()
    {
        var planner = Planner();

        planner.Next("k", "503", "504").ShouldBe((FaultScript.ParseStep("503", new FaultOptions()), "header"));
        planner.Next("k", null, "504").Source.ShouldBe("model");
    }

    [Fact]
    public void Next_RandomRates_HitAboutTheirShare()
    {
        var planner = Planner("529=0.2, reset=0.1");

        var draws = Enumerable.Range(0, 10_000).Select(_ => planner.Next("k", null, null).Step.Kind).ToList();

        draws.Count(k => k == FaultKind.Status).ShouldBeInRange(1_800, 2_200);
        draws.Count(k => k == FaultKind.Reset).ShouldBeInRange(850, 1_150);
    }

    [Fact]
    public void Reset_ClearsQueueAndPositions()
    {
        var planner = Planner();
        planner.Enqueue(FaultScript.Parse("500*3", new FaultOptions()), null);
        planner.Next("k", "529,ok", null);

        planner.Reset();

        planner.Pending.ShouldBe(0);
        planner.Next("k", "529,ok", null).Step.Status.ShouldBe(529);
    }
}
