package dev.kairos.autoscaler.tuner;

import io.jenetics.DoubleChromosome;
import io.jenetics.DoubleGene;
import io.jenetics.GaussianMutator;
import io.jenetics.Genotype;
import io.jenetics.MeanAlterer;
import io.jenetics.TournamentSelector;
import io.jenetics.engine.Engine;
import io.jenetics.engine.RetryConstraint;
import io.jenetics.util.Factory;
import io.jenetics.util.RandomRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Successive halving seeding an evolutionary search.
 *
 * <ol>
 *   <li>Screening: random settings are replayed over the first ninth of the trace, the best third
 *       over the first third, the best third of those over the whole trace. Short replays are cheap
 *       and rank settings well enough to drop the hopeless ones (Hyperband's idea, one bracket).
 *   <li>Evolution: Jenetics' genetic algorithm (tournament selection, Gaussian mutation, mean
 *       crossover) over the unit cube of the knob ranges, its first population seeded with the
 *       current setting and the screening's finalists, every individual replayed over the whole
 *       trace until the budget is spent.
 * </ol>
 *
 * <p>Every random draw comes from the seed, and individuals are evaluated on the calling thread, so
 * a search bounded by replays is reproducible.
 */
final class EvolutionarySearch implements SearchMethod {
  private static final double[] RUNGS = {1.0 / 9, 1.0 / 3};
  private static final double SCREENING_SHARE = 0.4;
  private static final int POPULATION = 12;
  private static final int STALE_GENERATIONS = 8;

  private record Candidate(double[] point, Setting setting) {}

  @Override
  public void search(
      SearchSpace space, Evaluator evaluator, Function<Evaluation, Score> score, long seed) {
    int d = space.dimensions();
    if (d == 0) {
      return;
    }
    SplittableRandom random = new SplittableRandom(seed);
    List<double[]> seeds = new ArrayList<>();
    seeds.add(space.currentPoint());
    seeds.addAll(screen(space, evaluator, score, random));
    evolve(space, evaluator, score, seeds, random.split());
  }

  /** One successive-halving bracket; returns the finalists' points, best first. */
  private static List<double[]> screen(
      SearchSpace space,
      Evaluator evaluator,
      Function<Evaluation, Score> score,
      SplittableRandom r) {
    // n/9 + (n/3)/3 + (n/9)/1 = n/3 whole-trace replays
    int n = (int) Math.floor(evaluator.budgetLeft() * SCREENING_SHARE * 3);
    if (n < 9) {
      return List.of();
    }
    List<Candidate> pool = new ArrayList<>();
    for (int tries = 0; pool.size() < n && tries < n * 20; tries++) {
      double[] p = new double[space.dimensions()];
      for (int i = 0; i < p.length; i++) {
        p[i] = r.nextDouble();
      }
      Optional<Setting> s = space.decode(p);
      if (s.isPresent()) {
        pool.add(new Candidate(p, s.get()));
      }
    }
    for (double share : RUNGS) {
      pool = best(pool, evaluator, score, share, (pool.size() + 2) / 3);
    }
    pool = best(pool, evaluator, score, 1.0, pool.size());
    return pool.stream().map(Candidate::point).toList();
  }

  private static List<Candidate> best(
      List<Candidate> pool,
      Evaluator evaluator,
      Function<Evaluation, Score> score,
      double share,
      int keep) {
    record Scored(Candidate c, Score s) {}
    List<Scored> scored = new ArrayList<>();
    for (Candidate c : pool) {
      Evaluation e = evaluator.evaluate(c.setting(), share);
      if (e != null) {
        scored.add(new Scored(c, score.apply(e)));
      }
    }
    // a stable sort: equal scores keep the draw order, so the outcome depends on the seed only
    scored.sort(Comparator.comparing(Scored::s));
    return scored.stream().limit(keep).map(Scored::c).toList();
  }

  private static void evolve(
      SearchSpace space,
      Evaluator evaluator,
      Function<Evaluation, Score> score,
      List<double[]> seeds,
      SplittableRandom random) {
    int d = space.dimensions();
    Factory<Genotype<DoubleGene>> cube = Genotype.of(DoubleChromosome.of(0, 1, d));
    Function<Genotype<DoubleGene>, Score> fitness =
        g -> {
          Optional<Setting> s = space.decode(point(g));
          Evaluation e = s.isEmpty() ? null : evaluator.evaluate(s.get(), 1.0);
          return e == null ? Score.WORST : score.apply(e);
        };
    Engine<DoubleGene, Score> engine =
        Engine.builder(fitness, cube)
            .minimizing()
            .populationSize(POPULATION)
            .executor(Runnable::run)
            .constraint(RetryConstraint.of(p -> space.decode(point(p.genotype())).isPresent()))
            .selector(new TournamentSelector<>(3))
            .alterers(new GaussianMutator<>(0.3), new MeanAlterer<>(0.3))
            .build();
    List<Genotype<DoubleGene>> initial = new ArrayList<>();
    for (double[] p : seeds.subList(0, Math.min(seeds.size(), POPULATION))) {
      List<DoubleGene> genes = new ArrayList<>();
      for (double v : p) {
        genes.add(DoubleGene.of(Math.min(v, Math.nextDown(1.0)), 0, 1));
      }
      initial.add(Genotype.of(DoubleChromosome.of(genes)));
    }
    double[] lastSpent = {evaluator.spent()};
    int[] stale = {0};
    RandomRegistry.with(
        random,
        r -> {
          engine.stream(initial)
              .limit(
                  result -> {
                    stale[0] = evaluator.spent() > lastSpent[0] ? 0 : stale[0] + 1;
                    lastSpent[0] = evaluator.spent();
                    return evaluator.affords(1.0) && stale[0] < STALE_GENERATIONS;
                  })
              .forEach(result -> {});
          return null;
        });
  }

  private static double[] point(Genotype<DoubleGene> g) {
    double[] p = new double[g.chromosome().length()];
    for (int i = 0; i < p.length; i++) {
      p[i] = g.chromosome().get(i).allele();
    }
    return p;
  }
}
