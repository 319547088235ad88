using System.Text;

namespace EvoMerge.FuzzCorpus;

/// <summary>
/// Search configs that parse but name the wrong things: missing or non-model directories, missing task files, tasks
/// that are not tasks, unknown methods and metrics, more layer groups than the models have, a config as its own task.
/// They get past the reader and must be refused when the search is set up (models opened, tasks loaded).
/// </summary>
public static class SearchConfigSemantics
{
    /// <summary>The cases (no randomness: each is one named replacement in <see cref="SearchConfigMutations.Valid"/>).</summary>
    public static List<FuzzCase> Generate()
    {
        (string Kind, string Find, string Replace, bool MustFail)[] edits =
        [
            ("missing-base", "base_model: models/base", "base_model: models/missing", true),
            ("missing-model", "  - models/b", "  - models/nothere", true),
            ("base-is-a-file", "base_model: models/base", "base_model: tasks/a.yml", true),
            ("model-is-tasks-dir", "  - models/b", "  - tasks", true),
            ("model-is-root", "  - models/b", "  - /", true),
            ("model-is-dev-null", "  - models/b", "  - /dev/null", true),
            ("same-model-twice", "  - models/b", "  - models/a", false),
            ("base-as-source", "  - models/b", "  - models/base", false),
            ("missing-task", "  - task: tasks/a.yml", "  - task: tasks/missing.yml", true),
            ("task-is-a-model", "  - task: tasks/a.yml", "  - task: models/a", true),
            ("task-is-a-parquet", "  - task: tasks/a.yml", "  - task: tasks/a.parquet", true),
            ("task-is-model-config", "  - task: tasks/a.yml", "  - task: models/a/config.json", true),
            ("task-is-weights", "  - task: tasks/a.yml", "  - task: models/a/model.safetensors", true),
            ("task-through-dotdot", "  - task: tasks/a.yml", "  - task: models/../models/a/../../tasks/../nothere/a.yml", true),
            ("unknown-metric", "    metric: acc", "    metric: bleu", true),
            ("unknown-method", "  methods: [ties, task_arithmetic]", "  methods: [ties, fancy_merge]", true),
            ("no-methods", "  methods: [ties, task_arithmetic]", "  methods: []", true),
            ("layer-groups-over-layers", "  layer_groups: 2", "  layer_groups: 3", true),
            ("unknown-optimizer", "  name: nsga2", "  name: annealing", true),
            ("nan-seed", "seed: 7", "seed: .nan", true),
            ("infinite-fraction", "    fraction: 0.5", "    fraction: .inf", true),
            ("nan-range", "    weight: [0, 1.5]", "    weight: [.nan, 1.5]", true),
            ("empty-objectives", "objectives:\n  - task: tasks/a.yml\n    metric: acc\n", "objectives: []\n", true),
            ("empty-run-dir", "run_dir: runs/x", "run_dir: ''", false),
        ];
        var cases = new List<FuzzCase>();
        foreach (var (kind, find, replace, mustFail) in edits)
        {
            if (!SearchConfigMutations.Valid.Contains(find, StringComparison.Ordinal)) throw new InvalidOperationException($"{kind}: '{find}' is not in the valid config");
            cases.Add(new(kind, Encoding.UTF8.GetBytes(SearchConfigMutations.Valid.Replace(find, replace, StringComparison.Ordinal)), mustFail));
        }
        return cases;
    }
}
