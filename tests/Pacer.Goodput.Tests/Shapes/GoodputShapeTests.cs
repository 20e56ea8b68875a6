using Pacer.Goodput.Shapes;
using Pacer.Goodput.Systems;

namespace Pacer.Goodput.Tests.Shapes;

public sealed class GoodputShapeTests
{
    [Fact]
    public void All_CoverEveryShapeTheTargetsName()
    {
        GoodputShape.All.Select(s => s.Name).ShouldBe(
        [
            "burst2s-requests", "burst5s-requests", "burst2s-input", "burst5s-input", "burst2s-output", "burst5s-output",
            "whole-minute", "tiny-output", "produced", "reserve", "above-ranges",
        ]);
        GoodputShape.All.Single(s => s.Name == "whole-minute").Settings.Limits.BurstSeconds.ShouldBe(60);
        GoodputShape.All.Single(s => s.Name == "reserve").Settings.OutputAccounting.ShouldBe(Pacer.Simulator.Options.OutputAccounting.Reserve);
        var above = GoodputShape.All.Single(s => s.Name == "above-ranges").Settings;
        (above.ExtendedRanges, above.PacerConcurrency, above.Limits.RequestsPerMinute, above.Workload.Callers).ShouldBe((true, 200, 4000, 200));
    }

    [Fact]
    public void All_PacerSettingsOfEveryShape_AreValid()
    {
        foreach (var shape in GoodputShape.All)
        {
            Pacer.Configuration.PacerOptionsValidator.Validate(SystemCatalog.LearningOptions(shape.Settings)).ShouldBeEmpty(shape.Name);
            Pacer.Configuration.PacerOptionsValidator.Validate(SystemCatalog.StaticOptions(shape.Settings)).ShouldBeEmpty(shape.Name);
        }
    }

    [Fact]
    public void Named_KeepsTheCataloguesOrder()
    {
        GoodputShape.Named("reserve, whole-minute").Select(s => s.Name).ShouldBe(["whole-minute", "reserve"]);
    }

    [Fact]
    public void Named_UnknownShape_IsNamedWithTheShapesThereAre()
    {
        Should.Throw<ArgumentException>(() => GoodputShape.Named("whole-minute,burst9s"))
            .Message.ShouldStartWith("--shapes: 'burst9s' is not a shape; the shapes are burst2s-requests,");
    }
}
