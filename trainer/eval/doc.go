// Package eval measures how well a translator works without any pretrained
// network: the sliced Wasserstein distance (SWD) over multi-scale 7x7 patches
// of Karras et al. 2018 ("Progressive Growing of GANs", appendix D) between
// two sets of images, and the cycle-reconstruction error |x - F(G(x))|.
//
// A translator is judged by SWD(G(test A), test B) against the baseline
// SWD(test A, test B): a good one removes most of the distance. The fixed
// held-out split that training never sees is chosen by HoldOut and stored
// as lists of file names (models/holdout/*.txt).
package eval
