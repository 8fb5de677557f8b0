import { LoadingState } from '../../../components/states.tsx';

export default function Loading() {
  return <LoadingState what="the compliance dashboard" />;
}
